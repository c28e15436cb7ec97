"""The programme around the pairs: road map and appointments (п. 3.1–3.2, 4.1–4.3)."""
