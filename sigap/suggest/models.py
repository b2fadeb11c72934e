"""The category suggester's data: the pack's example phrases and the trained models."""

from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from sigap.cities.tenancy import city_manager


class CategoryPhrase(models.Model):
    """An example of how citizens describe a category's problem (data/<city>/phrases.toml)."""

    category = models.ForeignKey("agencies.Category", on_delete=models.CASCADE,
                                 related_name="phrases", verbose_name=_("kategori"))
    language = models.CharField(_("bahasa"), max_length=8)
    text = models.CharField(_("kalimat"), max_length=300)

    objects = city_manager("category__city")

    class Meta:
        verbose_name = _("contoh kalimat kategori")
        verbose_name_plural = pgettext_lazy("plural", "contoh kalimat kategori")
        constraints = [models.UniqueConstraint(fields=["category", "language", "text"],
                                               name="phrase_unique_per_category")]

    def __str__(self):
        return self.text


class SuggestionModel(models.Model):
    """One trained suggester of one city (classifier.train's dict), by version: the web
    processes load the newest once and keep it until a newer one appears."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE,
                             related_name="suggestion_models", verbose_name=_("kota"))
    version = models.PositiveIntegerField(_("versi"))
    trained_at = models.DateTimeField(_("dilatih pada"))
    reports = models.PositiveIntegerField(_("laporan yang dipelajari"), default=0)
    phrases = models.PositiveIntegerField(_("contoh kalimat"), default=0)
    data = models.JSONField(_("model"))

    objects = city_manager()

    class Meta:
        verbose_name = _("model saran kategori")
        verbose_name_plural = pgettext_lazy("plural", "model saran kategori")
        ordering = ["city", "-version"]
        constraints = [models.UniqueConstraint(fields=["city", "version"],
                                               name="suggestion_model_unique_version")]

    def __str__(self):
        return f"{self.city_id} v{self.version}"
