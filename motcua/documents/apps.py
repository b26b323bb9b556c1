from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "motcua.documents"
    label = "documents"
    verbose_name = _("Giấy tờ, kết quả điện tử")

    def ready(self) -> None:
        # The engine names effects and forms; this app does them (docs/architecture.md, layers).
        from motcua.accounts.privacy import register_personal_data, register_personal_data_pdf
        from motcua.dossiers.effects import register_effect, register_forms

        from . import effects, forms, privacy

        register_personal_data(
            "stored_documents", export=privacy.stored_documents_export, on_close=privacy.stored_documents_forget
        )
        register_personal_data_pdf(privacy.personal_data_pdf)

        register_effect("issue_result", effects.issue_result, prepare=effects.prepare_result, locks=("results",))
        register_effect("store_documents", effects.store_documents, locks=("attachments",))
        register_forms(
            record=forms.forms_record,
            complete=forms.forms_complete,
            of_transition=forms.forms_of_transition,
            receipt=forms.RECEIPT,
        )
