"""Ask again when a model's reply does not parse: one helper shared by all agents.

    def validate(text):                       # None when fine, else what is wrong
        return None if "Action:" in text else "no 'Action:' line found"

    text, gens = retry_on_malformed(llm, messages, validate,
                                    correction=lambda err: f"Your reply was malformed ({err}). "
                                                           "Answer again with one 'Action:' line.")
    if text is None: ...                      # still malformed after the retries

On a malformed reply the conversation is extended with the reply (as the assistant) and a correction
(as the user), and the model is asked again, so it sees what it wrote and why it was rejected.
"""

from __future__ import annotations

from collections.abc import Callable

from .base import LLM, Generation, Message, SamplingParams

__all__ = ["retry_on_malformed"]


def retry_on_malformed(
    llm: LLM,
    conversation: list[Message],
    validate: Callable[[str], str | None],
    correction: Callable[[str], str],
    max_retries: int = 1,
    params: SamplingParams | None = None,
) -> tuple[str | None, list[Generation]]:
    """Generate a reply and re-ask up to ``max_retries`` times while ``validate`` rejects it.

    Args:
        llm: any back-end.
        conversation: the messages to answer; not modified.
        validate: ``text -> None`` when the reply is acceptable, else an error message.
        correction: ``error message -> user message`` sent after a rejected reply.
        max_retries: extra attempts after the first (0 = no retry).
        params: sampling settings for every attempt.

    Returns:
        ``(text, generations)``: the first accepted reply's text (``None`` if every attempt was
        rejected) and the :class:`Generation` of every attempt, in order (for token accounting).
    """
    if max_retries < 0:
        raise ValueError(f"max_retries must be >= 0, got {max_retries}")
    messages = list(conversation)
    generations: list[Generation] = []
    for attempt in range(max_retries + 1):
        gen = llm.generate([messages], params)[0]
        generations.append(gen)
        error = validate(gen.text)
        if error is None:
            return gen.text, generations
        if attempt < max_retries:
            messages = messages + [
                {"role": "assistant", "content": gen.text},
                {"role": "user", "content": correction(error)},
            ]
    return None, generations
