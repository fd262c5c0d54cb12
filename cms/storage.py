"""Static files storage for production."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed, hashed storage, except that a source map a
    library's CSS or JavaScript names but does not ship is left as it is.

    wagtail-nhsuk-frontend's stylesheet ends with `sourceMappingURL=` a map
    that is not in its package; Django's manifest storage fails the whole
    `collectstatic` on it, so production had no manifest and every page
    answered 500. Any other missing file (an image, a font, an import) still
    fails the build: that would be a broken page."""

    def url_converter(self, name, hashed_files, template=None):
        convert = super().url_converter(name, hashed_files, template)

        def keep_missing_source_maps(matchobj):
            try:
                return convert(matchobj)
            except ValueError:
                found = matchobj.groupdict()
                if found.get("url", "").strip().endswith(".map"):
                    return found["matched"]
                raise

        return keep_missing_source_maps
