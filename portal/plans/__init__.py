"""Individual plans (Приложение № 4): activities edited together, history, approval, meetings."""
