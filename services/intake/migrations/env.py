from services.intake.app import SPEC
from shared.migrations import run_env

run_env(SPEC.metadata)
