"""``kubectl exec`` into app containers: mongo shells, redis-cli, files, curl, DNS, unknown commands."""

from __future__ import annotations

NS = "test-hotel-reservation"
ROOT = ["-u", "root", "-p", "root", "--authenticationDatabase", "admin"]


def _mongo_geo(c, helpers):
    return helpers.pod_of(c, NS, "io.kompose.service", "mongodb-geo")["metadata"]["name"]


def test_get_users_and_auth_failure_text(installed, helpers):
    c, _ = installed("hotel_reservation")
    p = _mongo_geo(c, helpers)
    r = c.exec(p, NS, ["mongo", "admin", *ROOT, "--quiet", "--eval", "db.getUsers()"])
    assert r.exit_code == 0 and '"user" : "admin"' in r.stdout and '"role" : "readWrite"' in r.stdout
    assert '"db" : "geo-db"' in r.stdout and '"role" : "userAdminAnyDatabase"' in r.stdout
    bad = c.exec(p, NS, ["mongo", "admin", "-u", "root", "-p", "nope", "--authenticationDatabase", "admin",
                         "--eval", "db.getUsers()"])
    assert bad.exit_code == 1
    assert "Error: Authentication failed." in bad.stderr and "exception: connect failed" in bad.stderr
    noauth = c.exec(p, NS, ["mongo", "admin", "--quiet", "--eval", "db.getUsers()"])
    assert noauth.exit_code == 1 and "command usersInfo requires authentication" in noauth.stderr
    appuser = c.exec(p, NS, ["mongo", "admin", "-u", "admin", "-p", "admin", "--quiet", "--eval", "db.getUsers()"])
    assert "not authorized on admin to execute command { usersInfo" in appuser.stderr


def test_mongosh_absent_in_4_4_image(installed, helpers):
    c, _ = installed("hotel_reservation")
    r = c.exec(_mongo_geo(c, helpers), NS, ["mongosh", "--eval", "db.getUsers()"])
    assert r.exit_code == 126 and 'exec: "mongosh": executable file not found in $PATH' in r.stderr


def test_revoke_and_grant_roles_change_state(installed, helpers):
    c, _ = installed("hotel_reservation")
    p = _mongo_geo(c, helpers)
    d0 = c.digest()
    r = c.exec(p, NS, ["/bin/bash", "/scripts/revoke-admin-geo-mongo.sh"])
    assert r.exit_code == 0
    assert c.app.mongo_state(NS, "mongodb-geo")["users"]["admin.admin"]["roles"] == []
    d1 = c.digest()
    assert d1 != d0
    c.exec(p, NS, ["mongo", "admin", *ROOT, "--eval",
                   "db.grantRolesToUser('admin', [{role: 'readWrite', db: 'geo-db'}])"])
    assert c.app.mongo_state(NS, "mongodb-geo")["users"]["admin.admin"]["roles"] == [{"role": "readWrite", "db": "geo-db"}]
    assert c.digest() == d0


def test_drop_and_create_user(installed, helpers):
    c, _ = installed("hotel_reservation")
    p = _mongo_geo(c, helpers)
    r = c.exec(p, NS, ["bash", "/scripts/remove-admin-mongo.sh"])
    assert r.exit_code == 0 and "true" in r.stdout
    assert "admin.admin" not in c.app.mongo_state(NS, "mongodb-geo")["users"]
    r = c.exec(p, NS, ["mongo", "admin", *ROOT, "--quiet", "--eval", "db.getUser('admin')"])
    assert r.stdout.strip() == "null"
    r = c.exec(p, NS, ["sh", "-c", "mongo admin -u root -p root --quiet --eval \"db.createUser({user: 'admin', pwd: 'admin', "
                                   "roles: [{role: 'readWrite', db: 'geo-db'}]})\""])
    assert r.exit_code == 0 and "Successfully added user" in r.stdout
    dup = c.exec(p, NS, ["mongo", "admin", *ROOT, "--quiet", "--eval", "db.createUser({user: 'admin', pwd: 'x', roles: []})"])
    assert dup.exit_code == 1 and 'User "admin@admin" already exists' in dup.stderr


def test_connection_status_show_dbs_and_sibling_db(installed, helpers):
    c, _ = installed("hotel_reservation")
    p = _mongo_geo(c, helpers)
    r = c.exec(p, NS, ["mongo", "geo-db", "-u", "admin", "-p", "admin", "--authenticationDatabase", "admin", "--quiet",
                       "--eval", "db.runCommand({connectionStatus: 1})"])
    assert '"authenticatedUsers"' in r.stdout and '"user" : "admin"' in r.stdout
    r = c.exec(p, NS, ["mongo", *ROOT, "--quiet"], stdin="show dbs\nuse geo-db\ndb.getName()\n")
    assert "geo-db" in r.stdout and "switched to db geo-db" in r.stdout
    syntax = c.exec(p, NS, ["mongo", *ROOT, "--quiet", "--eval", "show dbs"])
    assert syntax.exit_code == 1 and "SyntaxError" in syntax.stderr
    r = c.exec(p, NS, ["mongo", *ROOT, "--quiet", "--eval", "db.getSiblingDB('admin').getUsers().length"])
    assert r.stdout.strip() == "2"
    r = c.exec(p, NS, ["mongo", "geo-db", "-u", "admin", "-p", "admin", "--authenticationDatabase", "admin", "--quiet",
                       "--eval", "db.geo.count()"])
    assert r.stdout.strip() == "80"


def test_redis_cli(installed, helpers):
    c, _ = installed("social_network")
    ns = "test-social-network"
    p = helpers.pod_of(c, ns, "app", "home-timeline-redis")["metadata"]["name"]
    assert c.exec(p, ns, ["redis-cli", "PING"]).stdout == "PONG\n"
    d0 = c.digest()
    assert c.exec(p, ns, ["redis-cli", "SET", "k1", "v1"]).stdout == "OK\n"
    assert c.digest() != d0
    assert c.exec(p, ns, ["redis-cli", "GET", "k1"]).stdout == "v1\n"
    assert c.exec(p, ns, ["redis-cli", "DBSIZE"]).stdout == "4\n"
    assert "redis_version:6.2.4" in c.exec(p, ns, ["redis-cli", "INFO", "server"]).stdout
    assert "ERR unknown command" in c.exec(p, ns, ["redis-cli", "FOO"]).stdout
    other = c.exec(p, ns, ["redis-cli", "-h", "social-graph-redis", "DBSIZE"])
    assert other.stdout == "3\n"


def test_cat_mounted_configmap_and_files(installed, helpers):
    c, _ = installed("hotel_reservation")
    p = _mongo_geo(c, helpers)
    r = c.exec(p, NS, ["cat", "/scripts/revoke-admin-geo-mongo.sh"])
    assert r.exit_code == 0 and "revokeRolesFromUser" in r.stdout
    assert "revoke-admin-geo-mongo.sh" in c.exec(p, NS, ["ls", "/scripts"]).stdout
    missing = c.exec(p, NS, ["cat", "/nope"])
    assert missing.exit_code == 1 and missing.stderr == "cat: /nope: No such file or directory\n"
    geo = helpers.pod_of(c, NS, "io.kompose.service", "geo")["metadata"]["name"]
    cfg = c.exec(geo, NS, ["cat", "/go/src/github.com/harlow/go-micro-services/config.json"])
    assert '"GeoMongoAddress": "mongodb-geo:27017"' in cfg.stdout
    env = c.exec(geo, NS, ["env"]).stdout
    assert "HOSTNAME=" + geo in env and "MONGODB_GEO_SERVICE_HOST=" in env


def test_curl_status_refused_and_grpc(installed, helpers):
    c, _ = installed("hotel_reservation")
    fe = helpers.pod_of(c, NS, "io.kompose.service", "frontend")["metadata"]["name"]
    ok = c.exec(fe, NS, ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://frontend:5000/hotels"])
    assert ok.stdout == "200" and ok.exit_code == 0
    nf = c.exec(fe, NS, ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://localhost:5000/nope"])
    assert nf.stdout == "404"
    grpc = c.exec(fe, NS, ["curl", "http://geo:8083/"])
    assert grpc.exit_code == 1 and "Received HTTP/0.9 when not allowed" in grpc.stderr
    c.patch("Service", "geo", NS, {"spec": {"ports": [{"port": 8083, "targetPort": 9999}]}})
    refused = c.exec(fe, NS, ["curl", "http://geo:8083/"])
    assert refused.exit_code == 7
    assert refused.stderr == "curl: (7) Failed to connect to geo port 8083 after 0 ms: Connection refused\n"
    dns = c.exec(fe, NS, ["curl", "http://nosuch:80/"])
    assert dns.exit_code == 6 and "Could not resolve host: nosuch" in dns.stderr
    # the broken search path now fails /hotels
    assert c.exec(fe, NS, ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://frontend:5000/hotels"]).stdout == "500"


def test_nslookup_and_getent(installed, helpers):
    c, _ = installed("astronomy_shop")
    ns = "astronomy-shop"
    p = helpers.pod_of(c, ns, "app.kubernetes.io/name", "frontend")["metadata"]["name"]
    r = c.exec(p, ns, ["nslookup", "cart"])
    assert r.exit_code == 0 and "Name:\tcart.astronomy-shop.svc.cluster.local" in r.stdout and "Address: 10." in r.stdout
    r = c.exec(p, ns, ["nslookup", "nosuch"])
    assert r.exit_code == 1 and "NXDOMAIN" in r.stdout
    assert "cart.astronomy-shop.svc.cluster.local" in c.exec(p, ns, ["getent", "hosts", "cart"]).stdout
    # CoreDNS modelled and down -> timeouts
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}})
    c.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "coredns-x", "namespace": "kube-system",
              "labels": {"k8s-app": "kube-dns"}}, "spec": {"containers": [{"name": "coredns", "image": "coredns"}]},
              "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]}})
    r = c.exec(p, ns, ["nslookup", "cart"])
    assert r.exit_code == 1 and ";; connection timed out; no servers could be reached" in r.stdout


def test_unknown_command_and_stopped_container(installed, helpers):
    c, _ = installed("hotel_reservation")
    geo = helpers.pod_of(c, NS, "io.kompose.service", "geo")
    r = c.exec(geo["metadata"]["name"], NS, ["foo", "bar"])
    assert r.stdout == "" and r.exit_code == 126
    assert r.stderr == ('OCI runtime exec failed: exec failed: unable to start container process: exec: "foo": '
                        "executable file not found in $PATH: unknown\n")
    sh = c.exec(geo["metadata"]["name"], NS, ["sh", "-c", "foo"])
    assert sh.exit_code == 127 and "foo: not found" in sh.stderr
    stopped = dict(geo, status=dict(geo["status"], containerStatuses=[
        {"name": "hotel-reserv-geo", "state": {"waiting": {"reason": "CrashLoopBackOff"}}, "ready": False}]))
    c.update_status(stopped)
    r = c.exec(geo["metadata"]["name"], NS, ["ls"])
    assert r.exit_code == 1 and r.stderr == 'error: unable to upgrade connection: container not found ("hotel-reserv-geo")\n'
