"""Lessons 07 and 08: dashboards respond to their controls; plots and exercise checks work."""
from __future__ import annotations

import dropout_lab as dl


def test_bugzoo_dashboard_lists_the_hidden_bugs():
    dash = dl.lessons.bug_zoo.widgets.bug_symptoms_dashboard()
    assert dash.result["divide by rate"] is False
    dash.controls["rate"].value = 0.5
    assert dash.result["divide by rate"] is True and dash.result["scaled twice"] is False
    assert "divide by rate, rate fixed at 0.5, keep/drop swapped" in dash.readout.value
