"""Seed-agent propagation on the Red-Black Game: team members, the experiment runner and its metrics,
distillation of seed training data, and LoRA fine-tuning of a seed (see docs/redblack.md).

Submodules: ``agents``, ``parsing``, ``experiment``, ``distill``, ``train_seed`` (needs the ``train``
extra), ``plots`` (needs matplotlib). Importing this package imports none of them.
"""
