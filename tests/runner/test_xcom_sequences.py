"""A mapped try's item of an upstream XCom, answered by the store without the whole list."""

from datetime import UTC, datetime, timedelta

from brisa.runner.xcom_sequences import XComSequences
from brisa.store.records import TaskKey

T0 = datetime(2024, 1, 1, tzinfo=UTC)
NAMES = {"dag_id": "d", "run_id": "r", "key": "return_value"}


class CountingXComs:
    """The store's XCom repository, counting the values it hands out whole."""

    def __init__(self, xcoms):
        self.xcoms, self.whole_reads = xcoms, 0

    def get(self, ti, key):
        self.whole_reads += 1
        return self.xcoms.get(ti, key)

    def __getattr__(self, name):
        return getattr(self.xcoms, name)


def _ask(store, sequences, task_id, index):
    with store.transaction(readonly=True) as tx:
        xcoms = CountingXComs(tx.xcoms)
        answer = sequences.answer(xcoms, task_id=task_id, index=index, **NAMES)
        return answer, xcoms.whole_reads


def test_a_plain_upstream_list_is_read_once_for_every_try(store):
    with store.transaction() as tx:
        tx.xcoms.set(TaskKey("d", "r", "items", -1), "return_value", list(range(500)), now=T0)
    sequences = XComSequences()
    assert _ask(store, sequences, "items", None) == ({"type": "list", "length": 500}, 1)
    answers = [_ask(store, sequences, "items", i) for i in range(0, 500, 50)]
    assert [a["item"] for a, _ in answers] == list(range(0, 500, 50))
    assert sum(reads for _, reads in answers) == 0


def test_a_replaced_upstream_value_is_read_again(store):
    sequences = XComSequences()
    key = TaskKey("d", "r", "items", -1)
    with store.transaction() as tx:
        tx.xcoms.set(key, "return_value", [1, 2], now=T0)
    assert _ask(store, sequences, "items", 1)[0]["item"] == 2
    with store.transaction() as tx:
        tx.xcoms.set(key, "return_value", {"a": 1, "b": 2, "c": 3}, now=T0 + timedelta(seconds=1))
    assert _ask(store, sequences, "items", 2) == ({"type": "dict", "length": 3, "item": ("c", 3)}, 1)


def test_a_mapped_upstream_gives_its_nth_pushed_value(store):
    with store.transaction() as tx:
        for index in (0, 1, 3):  # index 2 pushed nothing: Airflow's sequence skips it
            tx.xcoms.set(TaskKey("d", "r", "double", index), "return_value", index * 2, now=T0)
    answer, reads = _ask(store, XComSequences(), "double", 2)
    assert (answer, reads) == ({"type": "list", "length": 3, "item": 6}, 0)


def test_nothing_pushed_and_unmappable_values(store):
    with store.transaction() as tx:
        tx.xcoms.set(TaskKey("d", "r", "five", -1), "return_value", 5, now=T0)
    sequences = XComSequences()
    assert _ask(store, sequences, "nothing", 0)[0] == {"missing": True}
    assert _ask(store, sequences, "five", 0)[0] == {"type": "int"}
