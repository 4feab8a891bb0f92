"""Screening of the parties named on an application. `ownership`: the 50% ownership rule
(MOFCOM Announcement 2025 No. 61 §II) and the periods in which it is in force."""
