"""The get_metrics reply and its CSV exports (built on first read)."""

from hypothesis import given, settings, strategies as st

from aoi_gym.cluster.base import MetricSeries
from aoi_gym.envs.telemetry_views import LazyCsv, metrics_view

_values = st.floats(min_value=0, max_value=1e9, allow_nan=False)
_series = st.lists(
    st.tuples(
        st.sampled_from(["container_cpu_usage_seconds_total", "http_server_requests_total", "kafka_consumergroup_lag"]),
        st.sampled_from(["frontend-1", "geo-2", ""]),
        st.lists(st.tuples(st.integers(1_700_000_000, 1_700_010_000).map(float), _values), max_size=5),
    ),
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(_series)
def test_each_export_holds_one_row_per_point_of_its_series_in_order(raw):
    series = [MetricSeries(name, {"pod": pod, "service": "svc"} if pod else {"service": "svc"}, points)
              for name, pod, points in raw]
    _, files = metrics_view(series, "ns", 1_700_010_000.0, 5)
    expected: dict[str, list[str]] = {}
    for s in series:
        group = "container" if s.name.startswith("container_") else "service"
        for t, v in s.points:
            cmdb = f"node.{s.labels.get('pod') or s.labels['service']}"
            expected.setdefault(f"kpi_{s.name}.csv@{group}", []).append(f"{int(t)},{cmdb},{s.name},{round(v, 3)}")
    got = {f"{p.rsplit('/', 1)[1]}@{p.rsplit('/', 2)[1]}": str(f).splitlines() for p, f in files.items()}
    assert got == {k: ["timestamp,cmdb_id,kpi_name,value", *rows] for k, rows in expected.items()}
    assert all(isinstance(f, LazyCsv) and str(f) is str(f) for f in files.values())  # built once, then kept
