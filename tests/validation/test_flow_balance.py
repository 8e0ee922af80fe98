"""Every run checks its flow balance (``World.check_flow``): a broken ledger must raise."""

from __future__ import annotations

import pytest

from sim.loading import load_scenario
from sim.model.stock import PartStock
from sim.model.world import FlowBalanceError, simulate
from tests.validation.cases import SCENARIOS

pytestmark = pytest.mark.validation


@pytest.fixture
def short_kanban():
    return load_scenario(SCENARIOS / "kanban.yaml", horizon="3d", replications=1)


def test_intact_ledger_balances(short_kanban) -> None:
    result = simulate(short_kanban, 0)
    f = result.flow
    assert f["parts_received"] > 0
    out = f["parts_issued"] + f["parts_returned"] + f["parts_on_hand"]
    assert f["parts_initial"] + f["parts_received"] == out


def test_broken_ledger_raises(short_kanban, monkeypatch: pytest.MonkeyPatch) -> None:
    """A receipt counted one unit too many is caught at the end of the run."""
    receive = PartStock.receive

    def miscounting_receive(self: PartStock, *args, **kwargs) -> None:
        receive(self, *args, **kwargs)
        self.received += 1

    monkeypatch.setattr(PartStock, "receive", miscounting_receive)
    with pytest.raises(FlowBalanceError, match="parts not conserved"):
        simulate(short_kanban, 0)
