"""A realistic, seeded, deterministic synthetic venue written in the open import format."""

from habitue.generator.summary import GenerationSummary
from habitue.generator.venue import generate_venue

__all__ = ["GenerationSummary", "generate_venue"]
