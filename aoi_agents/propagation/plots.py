"""Plots of a propagation experiment (matplotlib with the Agg back-end, imported only when plotting)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["plot_results"]


def plot_results(result: dict, out_dir: str | Path) -> list[Path]:
    """Write ``cooperation_by_seeds.png`` (mean +- std across scenarios, one line per variant) and
    ``per_round.png`` (per-round cooperation of each standard condition); returns the paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    fig, ax = plt.subplots(figsize=(6, 4))
    for variant in sorted({c["variant"] for c in result["conditions"]}):
        conds = [c for c in result["conditions"] if c["variant"] == variant]
        ax.errorbar(
            [c["seeds"] for c in conds],
            [100 * c["cooperation_mean"] for c in conds],
            yerr=[100 * c["cooperation_std"] for c in conds],
            marker="o",
            capsize=3,
            label=variant,
        )
    ax.set_xlabel("seeds in Team A")
    ax.set_ylabel("cooperation rate (%)")
    ax.set_ylim(-5, 105)
    ax.set_title("Cooperation by number of seeds")
    ax.legend()
    fig.tight_layout()
    paths.append(out / "cooperation_by_seeds.png")
    fig.savefig(paths[-1], dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4))
    for c in result["conditions"]:
        if c["variant"] == "standard":
            rounds = range(1, len(c["per_round"]) + 1)
            ax.plot(rounds, [100 * x for x in c["per_round"]], marker=".", label=f"{c['seeds']} seeds")
    ax.set_xlabel("round")
    ax.set_ylabel("Team A chose BLACK (%)")
    ax.set_ylim(-5, 105)
    ax.set_title("Cooperation per round")
    ax.legend()
    fig.tight_layout()
    paths.append(out / "per_round.png")
    fig.savefig(paths[-1], dpi=120)
    plt.close(fig)
    return paths
