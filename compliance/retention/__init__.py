"""Record retention (Reg. 27): case, licence, certificate and report records are kept at least 5
years after the licence ends, or the case closes without one. `selectors.retained_until` computes
the date; `guard` refuses earlier deletes; `services` purges what has passed it."""
