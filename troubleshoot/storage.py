"""Static files as whitenoise serves them, with each file's hashed URL worked out once per process."""

from functools import lru_cache

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    # The manifest is fixed for a deploy, so a name's URL never changes while the process lives.
    @lru_cache(maxsize=256)
    def url(self, name, force=False):
        return super().url(name, force)
