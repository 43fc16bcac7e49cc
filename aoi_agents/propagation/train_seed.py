"""Fine-tune a seed: LoRA supervised fine-tuning on the distilled deliberations with TRL's SFTTrainer.

Defaults follow the study's recipe (LoRA r 128 / alpha 256 / dropout 0.05 on the attention and MLP
projections, lr 1e-5 cosine with 200 warm-up steps, weight decay 0.01, batch 2 x 8 accumulation,
3 epochs, max length 4096, loss over the whole conversation). torch, transformers, trl and peft are
imported inside :func:`train_seed`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SeedTrainingConfig", "train_seed", "LORA_TARGETS"]

LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass
class SeedTrainingConfig:
    """Settings of one seed fine-tune.

    Args:
        model: a local model directory (or hub id where the machine may download).
        train_file: JSONL of ``{"messages": [...]}`` examples (``train.jsonl`` from ``aoi propagation distill``).
        output_dir: where the LoRA adapter (and tokenizer) is saved.
        eval_file: optional JSONL for evaluation loss (``val.jsonl``).
        max_steps: stop after this many optimizer steps (-1 = run ``epochs``).
        cpu: train on CPU in float32 (tests, smoke runs); otherwise bf16 on the GPU.
        assistant_only_loss: train on the assistant turn only (the study trained on every token).
    """

    model: str
    train_file: str
    output_dir: str
    eval_file: str | None = None
    lora_r: int = 128
    lora_alpha: int = 256
    lora_dropout: float = 0.05
    target_modules: tuple[str, ...] = LORA_TARGETS
    learning_rate: float = 1e-5
    epochs: float = 3.0
    batch_size: int = 2
    grad_accum: int = 8
    max_length: int = 4096
    warmup_steps: int = 200
    weight_decay: float = 0.01
    max_steps: int = -1
    seed: int = 42
    cpu: bool = False
    gradient_checkpointing: bool = True
    assistant_only_loss: bool = False
    logging_steps: int = 10
    extra_args: dict = field(default_factory=dict)


def _load_messages(path: str):
    from datasets import load_dataset

    dataset = load_dataset("json", data_files=path, split="train")
    if "messages" not in dataset.column_names:
        raise ValueError(f"{path} has no 'messages' column (columns: {dataset.column_names}); use aoi propagation distill")
    return dataset.remove_columns([c for c in dataset.column_names if c != "messages"])


def train_seed(cfg: SeedTrainingConfig) -> Path:
    """Run SFT with LoRA and save the adapter to ``cfg.output_dir``; returns that path.

    Raises ``FileNotFoundError`` for a missing data file and ``ValueError`` for data without messages.
    """
    for path in (cfg.train_file, cfg.eval_file):
        if path is not None and not Path(path).is_file():
            raise FileNotFoundError(f"data file not found: {path}")
    import torch
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    train = _load_messages(cfg.train_file)
    evaluation = _load_messages(cfg.eval_file) if cfg.eval_file else None
    tokenizer = AutoTokenizer.from_pretrained(cfg.model)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    dtype = torch.float32 if cfg.cpu else torch.bfloat16
    model = AutoModelForCausalLM.from_pretrained(cfg.model, dtype=dtype)
    args = SFTConfig(
        output_dir=cfg.output_dir,
        per_device_train_batch_size=cfg.batch_size,
        gradient_accumulation_steps=cfg.grad_accum,
        learning_rate=cfg.learning_rate,
        lr_scheduler_type="cosine",
        warmup_steps=cfg.warmup_steps,
        weight_decay=cfg.weight_decay,
        max_grad_norm=1.0,
        num_train_epochs=cfg.epochs,
        max_steps=cfg.max_steps,
        max_length=cfg.max_length,
        assistant_only_loss=cfg.assistant_only_loss,
        use_cpu=cfg.cpu,
        bf16=not cfg.cpu,
        logging_steps=cfg.logging_steps,
        save_strategy="no",
        eval_strategy="epoch" if evaluation is not None else "no",
        report_to=[],
        seed=cfg.seed,
        gradient_checkpointing=cfg.gradient_checkpointing,
        **cfg.extra_args,
    )
    peft_config = LoraConfig(
        r=cfg.lora_r,
        lora_alpha=cfg.lora_alpha,
        lora_dropout=cfg.lora_dropout,
        target_modules=list(cfg.target_modules),
        bias="none",
        task_type="CAUSAL_LM",
    )
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=train,
        eval_dataset=evaluation,
        processing_class=tokenizer,
        peft_config=peft_config,
    )
    trainer.train()
    out = Path(cfg.output_dir)
    trainer.save_model(str(out))
    tokenizer.save_pretrained(str(out))
    return out
