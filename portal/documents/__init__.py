"""Shared document layer: PDF rendering, the electronic seal and spreadsheet import/export."""
