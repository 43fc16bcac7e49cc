"""The problem registry: AIOpsLab ids and answers, new-family ids, splits, and the listing API."""

from __future__ import annotations

import pytest

from aoi_gym.faults import FAMILIES, load_all
from aoi_gym.problems import SPLITS, TASK_TYPES, get_problem_spec, list_problems, make_problem
from aoi_gym.problems.registry import (
    AOI_PAPER_HELDOUT,
    NEW_FAMILIES,
    UNSUPPORTED_AIOPSLAB_IDS,
    answer_key,
    family_split,
)

DETECTION = """k8s_target_port-misconfig-detection-1 k8s_target_port-misconfig-detection-2
k8s_target_port-misconfig-detection-3 auth_miss_mongodb-detection-1 revoke_auth_mongodb-detection-1
revoke_auth_mongodb-detection-2 user_unregistered_mongodb-detection-1 user_unregistered_mongodb-detection-2
misconfig_app_hotel_res-detection-1 scale_pod_zero_social_net-detection-1
assign_to_non_existent_node_social_net-detection-1 container_kill-detection pod_failure_hotel_res-detection-1
pod_kill_hotel_res-detection-1 network_loss_hotel_res-detection-1 network_delay_hotel_res-detection-1
noop_detection_hotel_reservation-1 noop_detection_social_network-1 noop_detection_astronomy_shop-1
astronomy_shop_ad_service_failure-detection-1 astronomy_shop_ad_service_high_cpu-detection-1
astronomy_shop_ad_service_manual_gc-detection-1 astronomy_shop_cart_service_failure-detection-1
astronomy_shop_image_slow_load-detection-1 astronomy_shop_kafka_queue_problems-detection-1
astronomy_shop_loadgenerator_flood_homepage-detection-1 astronomy_shop_payment_service_failure-detection-1
astronomy_shop_payment_service_unreachable-detection-1 astronomy_shop_product_catalog_service_failure-detection-1
astronomy_shop_recommendation_service_cache_failure-detection-1 redeploy_without_PV-detection-1
wrong_bin_usage-detection-1""".split()
LOCALIZATION = """k8s_target_port-misconfig-localization-1 k8s_target_port-misconfig-localization-2
k8s_target_port-misconfig-localization-3 auth_miss_mongodb-localization-1 revoke_auth_mongodb-localization-1
revoke_auth_mongodb-localization-2 user_unregistered_mongodb-localization-1
user_unregistered_mongodb-localization-2 misconfig_app_hotel_res-localization-1
scale_pod_zero_social_net-localization-1 assign_to_non_existent_node_social_net-localization-1
container_kill-localization pod_failure_hotel_res-localization-1 pod_kill_hotel_res-localization-1
network_loss_hotel_res-localization-1 network_delay_hotel_res-localization-1
astronomy_shop_ad_service_failure-localization-1 astronomy_shop_ad_service_high_cpu-localization-1
astronomy_shop_ad_service_manual_gc-localization-1 astronomy_shop_cart_service_failure-localization-1
astronomy_shop_image_slow_load-localization-1 astronomy_shop_kafka_queue_problems-localization-1
astronomy_shop_loadgenerator_flood_homepage-localization-1 astronomy_shop_payment_service_failure-localization-1
astronomy_shop_payment_service_unreachable-localization-1
astronomy_shop_product_catalog_service_failure-localization-1
astronomy_shop_recommendation_service_cache_failure-localization-1 wrong_bin_usage-localization-1""".split()
ANALYSIS = """k8s_target_port-misconfig-analysis-1 k8s_target_port-misconfig-analysis-2
k8s_target_port-misconfig-analysis-3 auth_miss_mongodb-analysis-1 revoke_auth_mongodb-analysis-1
revoke_auth_mongodb-analysis-2 user_unregistered_mongodb-analysis-1 user_unregistered_mongodb-analysis-2
misconfig_app_hotel_res-analysis-1 scale_pod_zero_social_net-analysis-1
assign_to_non_existent_node_social_net-analysis-1 redeploy_without_PV-analysis-1 wrong_bin_usage-analysis-1""".split()
MITIGATION = """k8s_target_port-misconfig-mitigation-1 k8s_target_port-misconfig-mitigation-2
k8s_target_port-misconfig-mitigation-3 auth_miss_mongodb-mitigation-1 revoke_auth_mongodb-mitigation-1
revoke_auth_mongodb-mitigation-2 user_unregistered_mongodb-mitigation-1 user_unregistered_mongodb-mitigation-2
misconfig_app_hotel_res-mitigation-1 scale_pod_zero_social_net-mitigation-1
assign_to_non_existent_node_social_net-mitigation-1 astronomy_shop_kafka_queue_problems-mitigation-1
redeploy_without_PV-mitigation-1 wrong_bin_usage-mitigation-1""".split()
AIOPSLAB = {"detection": DETECTION, "localization": LOCALIZATION, "analysis": ANALYSIS, "mitigation": MITIGATION}

# AIOpsLab's localization targets (§1.1) and analysis labels (§1.3).
TARGETS = {
    "k8s_target_port-misconfig-localization-1": {"user-service"},
    "k8s_target_port-misconfig-localization-2": {"text-service"},
    "k8s_target_port-misconfig-localization-3": {"post-storage-service"},
    "auth_miss_mongodb-localization-1": {"url-shorten-mongodb"},
    "revoke_auth_mongodb-localization-1": {"mongodb-geo", "geo"},
    "revoke_auth_mongodb-localization-2": {"mongodb-rate", "rate"},
    "user_unregistered_mongodb-localization-1": {"mongodb-geo", "geo"},
    "user_unregistered_mongodb-localization-2": {"mongodb-rate", "rate"},
    "misconfig_app_hotel_res-localization-1": {"geo"},
    "scale_pod_zero_social_net-localization-1": {"user-service"},
    "assign_to_non_existent_node_social_net-localization-1": {"user-service"},
    "container_kill-localization": {"geo"},
    "pod_failure_hotel_res-localization-1": {"user"},
    "pod_kill_hotel_res-localization-1": {"user"},
    "network_loss_hotel_res-localization-1": {"user"},
    "network_delay_hotel_res-localization-1": {"user"},
    "astronomy_shop_ad_service_failure-localization-1": {"ad"},
    "astronomy_shop_ad_service_high_cpu-localization-1": {"ad"},
    "astronomy_shop_ad_service_manual_gc-localization-1": {"ad"},
    "astronomy_shop_cart_service_failure-localization-1": {"cart"},
    "astronomy_shop_image_slow_load-localization-1": {"frontend"},
    "astronomy_shop_kafka_queue_problems-localization-1": {"kafka"},
    "astronomy_shop_loadgenerator_flood_homepage-localization-1": {"frontend"},
    "astronomy_shop_payment_service_failure-localization-1": {"payment"},
    "astronomy_shop_payment_service_unreachable-localization-1": {"checkout"},
    "astronomy_shop_product_catalog_service_failure-localization-1": {"product-catalog"},
    "astronomy_shop_recommendation_service_cache_failure-localization-1": {"recommendation"},
    "wrong_bin_usage-localization-1": {"profile"},
}
LABELS = {
    "k8s_target_port-misconfig": ("Virtualization", "Misconfiguration"),
    "auth_miss_mongodb": ("Application", "Misconfiguration"),
    "revoke_auth_mongodb": ("Application", "Authentication Issue"),
    "user_unregistered_mongodb": ("Application", "Network/Storage Issue"),
    "misconfig_app_hotel_res": ("Application", "Misconfiguration"),
    "scale_pod_zero_social_net": ("Virtualization", "Operation Error"),
    "assign_to_non_existent_node_social_net": ("Virtualization", "Dependency Problem"),
    "redeploy_without_PV": ("Virtualization", "Operation Error"),
    "wrong_bin_usage": ("Application", "Network/Storage Issue"),
}


def _gt(pid: str):
    """Ground truth without a cluster: the fault's parameters fixed by the id, then its answer key."""
    problem = make_problem(pid)
    fault = problem.fault
    fault.params = dict(fault.fixed_params)
    return fault.ground_truth(None)


@pytest.mark.parametrize("task", TASK_TYPES)
def test_every_aiopslab_id_resolves_with_its_task(task):
    for pid in AIOPSLAB[task]:
        spec = get_problem_spec(pid)
        assert spec.task_type == task and spec.aiopslab
    assert {s.id for s in list_problems("aiopslab", task_types=[task])} == set(AIOPSLAB[task])


def test_aiopslab_counts_and_unsupported_ids():
    assert len(list_problems("aiopslab")) == 87 == sum(len(v) for v in AIOPSLAB.values())  # 89 minus Flower
    for pid, why in UNSUPPORTED_AIOPSLAB_IDS.items():
        with pytest.raises(KeyError, match="Docker"):
            get_problem_spec(pid)
        assert "Docker" in why


@pytest.mark.parametrize("pid", sorted(TARGETS))
def test_aiopslab_localization_targets(pid):
    gt = _gt(pid)
    assert set(gt.localization) == TARGETS[pid]
    assert gt.faulty_components[0] in TARGETS[pid]


@pytest.mark.parametrize("family", sorted(LABELS))
def test_aiopslab_analysis_labels(family):
    gt = _gt(next(s.id for s in list_problems(families=[family])))
    assert (gt.system_level, gt.fault_type) == LABELS[family]


def test_noop_expects_no():
    for app in ("hotel_reservation", "social_network", "astronomy_shop"):
        gt = _gt(f"noop_detection_{app}-1")
        assert gt.detection == "No" and not gt.has_anomaly
    assert _gt("wrong_bin_usage-detection-1").detection == "Yes"


def test_new_families_have_all_four_tasks_per_app():
    load_all()
    assert len(NEW_FAMILIES) >= 11
    for family in NEW_FAMILIES:
        assert family in FAMILIES, family
        for n, app in enumerate(FAMILIES[family].apps, 1):
            for task in TASK_TYPES:
                spec = get_problem_spec(f"{family}-{task}-{n}")
                assert (spec.app, spec.family, spec.aiopslab, spec.paper_split) == (app, family, False, None)


def test_splits_partition_families():
    fams = {s.family for s in list_problems()}
    train = {s.family for s in list_problems("train")}
    held = {s.family for s in list_problems("heldout")}
    assert train | held == fams and not train & held
    assert len(held) * 4 >= len(fams)
    assert held & set(NEW_FAMILIES) and held - set(NEW_FAMILIES)
    assert all(family_split(f) == ("heldout" if f in held else "train") for f in fams)


def test_heldout_answer_keys_do_not_appear_in_train():
    keys = {}
    for s in list_problems():
        keys.setdefault(s.family, set()).add(answer_key(s.family, s.app))
    train = [k for f, ks in keys.items() if family_split(f) == "train" for k in ks]
    for fam, ks in keys.items():
        if family_split(fam) != "heldout":
            continue
        for app, comps, level, ftype in ks:
            for t_app, t_comps, t_level, t_ftype in train:
                clash = (app, level, ftype) == (t_app, t_level, t_ftype) and comps & t_comps
                assert not clash, f"held-out {fam} shares an answer with a training family: {comps & t_comps}"


def test_aoi_paper_split_mirrors_the_study():
    held = {s.family for s in list_problems("aoi-paper-heldout")}
    train = {s.family for s in list_problems("aoi-paper-train")}
    assert held == AOI_PAPER_HELDOUT
    assert train == {s.family for s in list_problems("aiopslab")} - AOI_PAPER_HELDOUT
    assert {s.id for s in list_problems("aoi-paper-heldout", task_types="detection")} >= {
        "noop_detection_hotel_reservation-1", "container_kill-detection"}


def test_listing_filters_and_bad_arguments():
    assert all(s.app == "astronomy_shop" for s in list_problems(apps=["astronomy_shop"]))
    assert all(s.task_type == "analysis" for s in list_problems("train", task_types="analysis"))
    for split in SPLITS:
        assert list_problems(split)
    with pytest.raises(ValueError, match="valid splits"):
        list_problems("test")
    with pytest.raises(ValueError, match="valid: detection"):
        list_problems(task_types=["diagnosis"])
    with pytest.raises(ValueError, match="hotel_reservation"):
        list_problems(apps=["hotel"])


def test_unknown_id_names_close_matches():
    with pytest.raises(KeyError) as err:
        get_problem_spec("revoke_auth_mongo-detection-1")
    assert "revoke_auth_mongodb-detection-1" in str(err.value)
    with pytest.raises(ValueError):
        get_problem_spec("nonsense")


def test_submit_signatures():
    assert make_problem("wrong_bin_usage-detection-1").submit_signature() == "submit(has_anomaly: str)"
    assert make_problem("wrong_bin_usage-mitigation-1").submit_signature() == "submit()"


def test_every_implemented_family_is_registered_with_its_split():
    from aoi_gym.problems.registry import EXPERIMENTAL_FAMILIES

    load_all()
    assert EXPERIMENTAL_FAMILIES == ()
    assert set(FAMILIES) == {s.family for s in list_problems()}
    assert len(NEW_FAMILIES) >= 16
    assert {family_split(f) for f in ("network_policy_deny", "coredns_scaled_zero")} == {"heldout"}
    assert {family_split(f) for f in ("cpu_limit_throttling", "hpa_capped", "pvc_missing_storage_class")} == {"train"}
    assert set(_gt("coredns_scaled_zero-localization-1").localization) == {"coredns", "kube-dns"}
    assert get_problem_spec("hpa_capped-mitigation-1").app == "hotel_reservation"
