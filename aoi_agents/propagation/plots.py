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
    paths.append(_save_percent_plot(plt, fig, ax, "seeds in Team A", "cooperation rate (%)",
                                    "Cooperation by number of seeds", out / "cooperation_by_seeds.png"))

    fig, ax = plt.subplots(figsize=(6, 4))
    for c in result["conditions"]:
        if c["variant"] == "standard":
            rounds = range(1, len(c["per_round"]) + 1)
            ax.plot(rounds, [100 * x for x in c["per_round"]], marker=".", label=f"{c['seeds']} seeds")
    paths.append(_save_percent_plot(plt, fig, ax, "round", "Team A chose BLACK (%)", "Cooperation per round",
                                    out / "per_round.png"))
    return paths


def _save_percent_plot(plt, fig, ax, xlabel: str, ylabel: str, title: str, path: Path) -> Path:
    """Label a plot whose y axis is a percentage, save it to ``path`` and close it; returns ``path``."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(-5, 105)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
