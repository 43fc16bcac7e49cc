"""``aoi propagation run|distill|train-seed``: the Red-Black seed-propagation study from the command line.

Without ``--llm`` every member is scripted (persuadable untrained members, cooperative seeds), so the
whole pipeline runs on a CPU in seconds. With ``--llm SPEC`` (see :mod:`aoi_agents.llm`), untrained
members use that back-end; seeds use ``--seed-llm SPEC`` (e.g. a LoRA adapter served by vLLM) and/or
``--seed-system-prompt FILE`` (a prompted seed).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["register", "parse_seed_counts"]


def parse_seed_counts(text: str) -> list[int]:
    """``"0..5"`` -> [0..5]; ``"0,1,5"`` -> [0, 1, 5]; raises ``ValueError`` otherwise."""
    try:
        if ".." in text:
            lo, hi = (int(x) for x in text.split("..", 1))
            if hi < lo:
                raise ValueError
            return list(range(lo, hi + 1))
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ValueError(f"--seeds must look like 0..5 or 0,1,5, got {text!r}") from None


def _llm_factory(args):
    """One back-end per distinct spec, so members sharing a model are batched together."""
    from aoi_agents.llm import make_llm, parse_llm_spec

    cache = {}

    def get(spec: str):
        if spec not in cache:
            scheme, _ = parse_llm_spec(spec)
            kw = {}
            if scheme == "openai":
                kw = {"concurrency": args.concurrency, "timeout_s": args.timeout}
                if not args.thinking:
                    kw["extra_body"] = {"chat_template_kwargs": {"enable_thinking": False}}
            cache[spec] = make_llm(spec, **kw)
        return cache[spec]

    return get


def _members(args):
    """(make_untrained, make_seed) factories from the command line."""
    from aoi_agents.llm.base import SamplingParams
    from aoi_agents.propagation.agents import CooperativeAgent, LLMTeamMember, PersuadableAgent

    params = SamplingParams(temperature=args.temperature, max_tokens=args.max_tokens)
    seed_prompt = Path(args.seed_system_prompt).read_text() if args.seed_system_prompt else None
    if not args.llm:
        if args.seed_llm or seed_prompt:
            raise ValueError("--seed-llm / --seed-system-prompt need --llm for the untrained members")
        return (lambda slot, rng: PersuadableAgent(rng)), (lambda slot, rng: CooperativeAgent())
    get = _llm_factory(args)
    base = get(args.llm)

    def untrained(slot, rng):
        return LLMTeamMember(base, params, label="untrained")

    if not args.seed_llm and not seed_prompt:
        print("note: no --seed-llm or --seed-system-prompt; seeds are scripted cooperative agents", file=sys.stderr)
        return untrained, (lambda slot, rng: CooperativeAgent())
    seed_llm = get(args.seed_llm) if args.seed_llm else base
    return untrained, (lambda slot, rng: LLMTeamMember(seed_llm, params, system_prompt=seed_prompt, label="seed", is_seed=True))


def _cmd_run(args) -> int:
    from aoi_agents.propagation.experiment import ExperimentSpec, results_table, run_experiment
    from aoi_gym.envs.redblack.scenarios import scenario_ids

    variants = ["standard"] + (["muted"] if args.mute else []) + (["removal"] if args.removal else [])
    spec = ExperimentSpec(
        seeds=parse_seed_counts(args.seeds),
        scenarios=scenario_ids(args.scenarios),
        runs=args.runs,
        variants=variants,
        team_size=args.team_size,
        num_rounds=args.rounds,
        opponent=args.opponent,
        discussion_rounds=args.discussion_rounds,
        clear_history=not args.keep_history,
        base_seed=args.seed,
    )
    make_untrained, make_seed = _members(args)
    result = run_experiment(spec, make_untrained, make_seed, progress=lambda m: print(m, file=sys.stderr))
    table = results_table(result)
    print(table)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "results.json").write_text(json.dumps(result, indent=2))
        (out / "table.md").write_text(table + "\n")
        if not args.no_plots:
            from aoi_agents.propagation.plots import plot_results

            plot_results(result, out)
        print(f"wrote {out}/results.json, table.md" + ("" if args.no_plots else ", plots"), file=sys.stderr)
    return 0


def _cmd_distill(args) -> int:
    from aoi_agents.llm.base import SamplingParams
    from aoi_agents.propagation.distill import collect_turns, export_sft, rewrite_turns, scripted_teacher, to_sft_example
    from aoi_gym.envs.redblack.scenarios import scenario_ids

    make_untrained, _ = _members(args)
    samples = collect_turns(
        args.games, make_untrained, base_seed=args.seed, scenarios=scenario_ids(args.scenarios),
        team_size=args.team_size, num_rounds=args.rounds,
    )
    teacher = scripted_teacher() if args.teacher == "scripted" else _llm_factory(args)(args.teacher)
    params = SamplingParams(temperature=0.7, max_tokens=args.teacher_max_tokens)
    rewrites, stats = rewrite_turns(teacher, samples, params, attempts=args.attempts)
    examples = [to_sft_example(s, r) for s, r in zip(samples, rewrites) if r is not None]
    paths = export_sft(examples, args.out, seed=args.seed)
    counts = {name: sum(1 for _ in path.open()) for name, path in paths.items()}
    print(json.dumps({"turns": len(samples), **stats, "examples": counts}))
    return 0


def _cmd_train_seed(args) -> int:
    from aoi_agents.propagation.train_seed import SeedTrainingConfig, train_seed

    cfg = SeedTrainingConfig(
        model=args.model, train_file=args.data, output_dir=args.out, eval_file=args.eval_data,
        lora_r=args.lora_r, lora_alpha=args.lora_alpha, learning_rate=args.lr, epochs=args.epochs,
        batch_size=args.batch_size, grad_accum=args.grad_accum, max_length=args.max_length,
        warmup_steps=args.warmup_steps, max_steps=args.max_steps, cpu=args.cpu,
        gradient_checkpointing=args.gradient_checkpointing,
    )
    print(f"adapter saved to {train_seed(cfg)}")
    return 0


def _guard(fn):
    def run(args) -> int:
        try:
            return fn(args)
        except (ValueError, FileNotFoundError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2

    return run


def _add_team_args(p: argparse.ArgumentParser, scenarios: str) -> None:
    p.add_argument("--scenarios", default=scenarios, help="train | heldout | all | comma-separated ids")
    p.add_argument("--team-size", type=int, default=5)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--seed", type=int, default=0, help="base random seed")
    p.add_argument("--llm", help="back-end for untrained members, e.g. openai:http://127.0.0.1:8000/v1#Qwen/Qwen3-14B")
    p.add_argument("--seed-llm", help="back-end for seeds, e.g. the LoRA adapter's served name")
    p.add_argument("--seed-system-prompt", help="file whose text is put before the briefing for seeds")
    p.add_argument("--temperature", type=float, default=0.7)
    p.add_argument("--max-tokens", type=int, default=768)
    p.add_argument("--thinking", action="store_true", help="leave thinking mode on (the study turns it off)")
    p.add_argument("--concurrency", type=int, default=16, help="requests in flight per OpenAI-compatible server")
    p.add_argument("--timeout", type=float, default=120.0, help="per-request timeout (s)")


def register(subparsers) -> None:
    """Add ``aoi propagation`` with its ``run``, ``distill`` and ``train-seed`` sub-commands."""
    top = subparsers.add_parser("propagation", help="Red-Black Game seed-propagation study")
    sub = top.add_subparsers(dest="propagation_command", metavar="SUBCOMMAND")
    top.set_defaults(func=lambda args: (top.print_help(), 2)[1])

    run = sub.add_parser("run", help="play games with 0..k seeds and measure cooperation")
    _add_team_args(run, "heldout")
    run.add_argument("--seeds", default="0..5", help="seed counts: 0..5 or 0,1,5")
    run.add_argument("--runs", type=int, default=3, help="games per (condition, scenario)")
    run.add_argument("--opponent", default="always_defect")
    run.add_argument("--discussion-rounds", type=int, default=1)
    run.add_argument("--keep-history", action="store_true", help="keep earlier rounds' discussion in prompts")
    run.add_argument("--mute", action="store_true", help="add the mute test (seeds vote but only say 'I vote X.')")
    run.add_argument("--removal", action="store_true", help="add seed removal after two cooperative rounds")
    run.add_argument("--out", help="directory for results.json, table.md and plots")
    run.add_argument("--no-plots", action="store_true")
    run.set_defaults(func=_guard(_cmd_run))

    distill = sub.add_parser("distill", help="make SFT data for a seed from teacher rewrites of training games")
    _add_team_args(distill, "train")
    distill.add_argument("--games", type=int, default=10)
    distill.add_argument("--teacher", default="scripted", help="LLM spec of the teacher, or 'scripted'")
    distill.add_argument("--teacher-max-tokens", type=int, default=1024)
    distill.add_argument("--attempts", type=int, default=3, help="teacher generations per turn until valid")
    distill.add_argument("--out", required=True, help="directory for train/val/test.jsonl")
    distill.set_defaults(func=_guard(_cmd_distill))

    train = sub.add_parser("train-seed", help="LoRA SFT of a seed with TRL")
    train.add_argument("--model", required=True, help="base model directory (or hub id)")
    train.add_argument("--data", required=True, help="train.jsonl from 'aoi propagation distill'")
    train.add_argument("--eval-data", help="val.jsonl for evaluation loss")
    train.add_argument("--out", required=True, help="adapter output directory")
    train.add_argument("--lora-r", type=int, default=128)
    train.add_argument("--lora-alpha", type=int, default=256)
    train.add_argument("--lr", type=float, default=1e-5)
    train.add_argument("--epochs", type=float, default=3.0)
    train.add_argument("--batch-size", type=int, default=2)
    train.add_argument("--grad-accum", type=int, default=8)
    train.add_argument("--max-length", type=int, default=4096)
    train.add_argument("--warmup-steps", type=int, default=200)
    train.add_argument("--max-steps", type=int, default=-1)
    train.add_argument("--no-gradient-checkpointing", dest="gradient_checkpointing", action="store_false",
                       help="turn off gradient checkpointing (on by default, as in the study)")
    train.add_argument("--cpu", action="store_true", help="train on CPU in float32")
    train.set_defaults(func=_guard(_cmd_train_seed))
