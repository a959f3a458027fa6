import time

from streamscope.deadline import Deadline, poll


def test_a_deadline_counts_down_to_zero_and_passes():
    deadline = Deadline(0.05)
    assert 0 < deadline.left_s() <= 0.05 and not deadline.passed
    time.sleep(0.06)
    assert deadline.left_s() == 0.0 and deadline.passed


def test_poll_returns_the_first_true_answer():
    answers = iter([None, 0, "", "ready", "later"])
    assert poll(lambda _: next(answers), timeout_s=5, interval_s=0.001) == "ready"


def test_poll_gives_none_once_the_time_is_up_having_asked_after_it():
    asked = []

    def never(deadline):
        asked.append(deadline.passed)
        return False

    assert poll(never, timeout_s=0.02, interval_s=0.005) is None
    assert asked[-1] is True and asked[0] is False  # the last question came after the deadline

