from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Interface language"), choices=User.Language.choices)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "email", "extension", "language"]
