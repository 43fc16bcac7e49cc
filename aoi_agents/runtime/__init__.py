"""The AOI runtime: read-write separated roles around an LLM (Observer, Probe, Compressor, Executor).

    from aoi_agents.runtime import AOIRuntime
    agent = AOIRuntime(llm)            # any aoi_agents.llm back-end
    agent.reset(prompt); action = agent.act(observation)
    agent.last_step_meta               # {"role": ..., "phase": ..., ...} of the action just returned
    agent.events                       # reasoning steps that emitted no env action

Only the Executor emits writes, only commands of the Observer's plan, and only those the safety
layer's ``mitigation(namespace)`` policy allows; the Probe's reads pass ``read_only()`` before they
are emitted. See docs/agents.md.
"""

from aoi_agents.runtime.agent import AOIRuntime
from aoi_agents.runtime.compressor import Compressor, abnormal_rows, dedupe_log_lines
from aoi_agents.runtime.decisions import inert_action, parse_observer_reply, parse_probe_reply
from aoi_agents.runtime.executor import Executor
from aoi_agents.runtime.probe import Probe
from aoi_agents.runtime.taskinfo import TaskInfo, parse_task_prompt

__all__ = [
    "AOIRuntime",
    "Compressor",
    "Executor",
    "Probe",
    "TaskInfo",
    "parse_task_prompt",
    "parse_observer_reply",
    "parse_probe_reply",
    "inert_action",
    "abnormal_rows",
    "dedupe_log_lines",
]
