"""Knowledge distillation from single-dataset teachers into the Music2Emo student.

``kl`` (the default) is the paper's formulation, as in the original ``trainer.py``: the teacher's
outputs softmaxed at temperature T are the target of the student's log-softmaxed outputs under
``KLDivLoss(reduction="batchmean")`` — over the 56 mood logits for an MTG-Jamendo teacher, over the
two VA outputs for a VA teacher. No T² factor, as in the original.

``sigmoid`` is the named alternative: the 56 tags are independent binary targets (binary
cross-entropy between the student's logits / T and the teacher's sigmoid(logits / T)), and VA is
distilled by mean squared error to the teacher's prediction.

Each head the teacher has (and the student has too) is distilled; the terms add up.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F

from ....base.errors import InvalidInputError

__all__ = ["DISTILLATION_METHODS", "distillation_loss"]

DISTILLATION_METHODS = ("kl", "sigmoid")


def _kl(student: torch.Tensor, teacher: torch.Tensor, temperature: float) -> torch.Tensor:
    return F.kl_div(
        F.log_softmax(student / temperature, dim=-1),
        F.softmax(teacher / temperature, dim=-1),
        reduction="batchmean",
    )


def distillation_loss(
    student_output,
    teacher_output,
    method: Literal["kl", "sigmoid"] = "kl",
    temperature: float = 1.0,
) -> torch.Tensor:
    """The distillation term for one batch, from two `Music2EmoOutput`s (computed in float32)."""
    terms = []
    if teacher_output.mood_logits is not None and student_output.mood_logits is not None:
        student, teacher = student_output.mood_logits.float(), teacher_output.mood_logits.float()
        if method == "kl":
            terms.append(_kl(student, teacher, temperature))
        else:
            target = torch.sigmoid(teacher / temperature)
            terms.append(F.binary_cross_entropy_with_logits(student / temperature, target))
    if teacher_output.va is not None and student_output.va is not None:
        student, teacher = student_output.va.float(), teacher_output.va.float()
        terms.append(_kl(student, teacher, temperature) if method == "kl" else F.mse_loss(student, teacher))
    if not terms:
        raise InvalidInputError(
            "The teacher and the student share no head to distil. Accepted: a teacher with a mood or VA head"
        )
    return torch.stack(terms).sum()
