"""Outreach events (sosialisasi, senam bersama, jemput bola, kemitraan)."""
