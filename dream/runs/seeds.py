"""A run's seed: the one given, else an earlier run's (a resume), else a new one, drawn here and nowhere
else. Every output records it, so any dream can be made again."""
import secrets

MAX_SEED = 2**32 - 1  # numpy's RandomState takes seeds below 2**32
NEW_SEED_BELOW = 2**31  # a new seed fits a C int too, whatever reads it


def resolve_seed(given=None, earlier=None):
    """given if there is one, else earlier's, else a new random seed."""
    if given is not None:
        return given
    if earlier is not None:
        return earlier
    return secrets.randbelow(NEW_SEED_BELOW)
