"""Agreements between mentor and mentee (Приложение № 3): issuing, ПЭП signing, sealed PDFs."""
