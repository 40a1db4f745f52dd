"""child.shared on its own: what the parent gets back, through a file in memory or a pipe, and what
it leaves behind: no child running or unreaped, no descriptor open, nothing on the parent's stdout
or stderr. The callers' tests (test_shared_query.py, test_cache.py) compare whole commands; these
pin the contract they rest on, with values that tell each part apart."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from forks import no_child_left
from portcli import child

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")

CHANNELS = ["memfd", "pipe"]


@pytest.fixture(params=CHANNELS)
def channel(request, monkeypatch) -> str:
    if request.param == "pipe":
        monkeypatch.delattr(os, "memfd_create", raising=False)
    elif not hasattr(os, "memfd_create"):
        pytest.skip("no os.memfd_create")
    return request.param


@pytest.fixture
def forked(monkeypatch) -> list[int]:
    """The pid of each child forked, as the parent saw it."""
    pids: list[int] = []
    real = os.fork

    def fork() -> int:
        pid = real()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    return pids


def descriptors() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts descriptors in /proc")


@needs_proc
def test_the_parent_gets_what_mine_gave_and_every_byte_the_child_wrote(channel, forked):
    sent = bytes(range(256)) * 1024  # 256 KB: more than a pipe holds, with every byte value
    before = descriptors()
    done = child.shared(lambda out: (out.write(b"head:"), out.write(sent)), lambda: ("mine", 41 + 1))
    assert done == (("mine", 42), b"head:" + sent)
    assert len(forked) == 1 and no_child_left()
    assert descriptors() == before


def test_theirs_runs_in_the_child_mine_here_and_only_this_process_comes_back(channel, forked):
    """theirs() runs in the forked child, mine() here, and only this process comes back from `shared`:
    were the fork's two sides to take each other's branch, this process would run theirs() and leave by
    os._exit (conftest's exits_only_in_children fails the test instead) and the child would come back
    into the caller's code."""
    me = os.getpid()
    done = child.shared(lambda out: out.write(b"%d %d" % (os.getpid(), os.getppid())), os.getpid)
    assert done is not None and done[0] == me
    theirs, their_parent = map(int, done[1].split())
    assert theirs == forked[0] != me and their_parent == me


@needs_proc
def test_a_child_that_wrote_nothing_sent_empty_bytes_not_a_failure(channel, forked):
    before = descriptors()
    assert child.shared(lambda out: None, lambda: []) == ([], b"")
    assert no_child_left() and descriptors() == before


@needs_proc
def test_a_child_that_fails_after_writing_sends_nothing(channel, forked):
    def theirs(out):
        out.write(b"half of it")
        out.flush()
        raise ValueError("the child fails")

    before = descriptors()
    me = os.getpid()
    try:
        done = child.shared(theirs, lambda: "mine")
    finally:
        if os.getpid() != me:  # a child that got back into the caller's code must not run on (in pytest)
            os._exit(0)
    assert done == ("mine", None)
    assert len(forked) == 1 and no_child_left() and descriptors() == before


@needs_proc
def test_when_mine_raises_the_child_is_stopped_and_reaped_and_the_exception_goes_on(channel, forked):
    def theirs(out):
        out.write(b"started")
        out.flush()
        time.sleep(600)  # would run on long after the parent gave up

    def mine():
        raise KeyError("mine fails")

    before = descriptors()
    with pytest.raises(KeyError, match="mine fails"):
        child.shared(theirs, mine)
    assert len(forked) == 1
    with pytest.raises(ProcessLookupError):  # reaped: its pid names no process of ours any more
        os.kill(forked[0], 0)
    assert no_child_left() and descriptors() == before


def test_a_child_whose_parent_is_gone_is_not_left_waiting_on_its_pipe(monkeypatch, forked):
    """Through a pipe, the parent's end is the only reader: once it is closed (the parent killed, no
    `stop` run), the child's next write fails (EPIPE) and it ends, however much it has left to send. A
    child that kept a reading end of its own would find the pipe full instead, and wait on it forever.
    (Its writes are made non-blocking here, so the test tells the two apart without waiting.)"""
    import errno

    monkeypatch.delattr(os, "memfd_create", raising=False)
    go, ready = os.pipe()

    def theirs(out):
        os.close(ready)
        os.read(go, 1)  # the parent has closed its end of the channel
        out.flush()
        os.set_blocking(out.fileno(), False)
        try:
            while True:
                os.write(out.fileno(), b"z" * 65536)
        except OSError as exc:
            os._exit({errno.EPIPE: 32, errno.EAGAIN: 11}.get(exc.errno, 1))

    started = child.start(theirs)
    os.close(go)
    started.channel.close()
    os.write(ready, b"!")
    os.close(ready)
    status = os.waitpid(forked[0], 0)[1]
    started.pid = 0  # reaped here
    started.stop()
    assert os.waitstatus_to_exitcode(status) == 32  # EPIPE: no reader left; 11 (EAGAIN): a pipe full, still read
    assert no_child_left()


def test_the_child_says_nothing_on_the_parents_stdout_or_stderr(channel, capfd):
    def theirs(out):
        os.write(1, b"child on stdout\n")
        os.write(2, b"child on stderr\n")
        out.write(b"sent")

    assert child.shared(theirs, lambda: 7) == (7, b"sent")
    assert capfd.readouterr() == ("", "")


def test_the_child_does_not_flush_what_the_parent_left_buffered(channel, capfd, tmp_path):
    """The child leaves by os._exit: a buffer the parent had not flushed when it forked is written
    once, by the parent, not a second time by the child."""
    path = tmp_path / "buffered"
    with open(path, "w", encoding="utf-8") as buffered:
        buffered.write("once\n")  # held in the buffer across the fork
        assert child.shared(lambda out: out.write(b"x"), lambda: None) == (None, b"x")
    assert path.read_text(encoding="utf-8") == "once\n"


@needs_proc
def test_no_channel_and_no_fork_mean_no_child_and_nothing_left_open(monkeypatch, forked):
    ran = []
    before = descriptors()

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    with monkeypatch.context() as m:
        m.setattr(os, "fork", no_fork)
        for memfd in (True, False):
            if not memfd:
                m.delattr(os, "memfd_create", raising=False)
            assert child.shared(lambda out: ran.append("theirs"), lambda: ran.append("mine")) is None
            assert descriptors() == before
    with monkeypatch.context() as m:
        m.delattr(os, "memfd_create", raising=False)
        m.setattr(os, "pipe", lambda: (_ for _ in ()).throw(OSError(24, "Too many open files")))
        assert child.shared(lambda out: ran.append("theirs"), lambda: ran.append("mine")) is None
    assert ran == [] and forked == [] and descriptors() == before


def test_sigchld_ignored_still_takes_what_the_child_sent(channel):
    import signal

    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        assert child.shared(lambda out: out.write(b"sent anyway"), lambda: 1) == (1, b"sent anyway")
    finally:
        signal.signal(signal.SIGCHLD, previous)


def test_cpus_and_can_fork(monkeypatch):
    import threading

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 3, 5}, raising=False)
    assert child.cpus() == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: (_ for _ in ()).throw(OSError(22, "no")), raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert child.cpus() == 4
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert child.cpus() == 1
    assert child.can_fork() is False  # one CPU
    monkeypatch.setattr(child, "cpus", lambda: 2)
    assert child.can_fork() is True
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert child.can_fork() is False  # another thread
    finally:
        release.set()
        other.join()
    monkeypatch.delattr(os, "fork")
    assert child.can_fork() is False


@needs_proc
def test_take_reads_the_channel_itself_and_what_it_makes_is_sent_back(channel, forked):
    """With `take`, the parent gets what take() made of the channel; take() may stop before its end
    (the rest of a pipe is drained, so the child is not left waiting to write it)."""
    before = descriptors()
    tail = b"x" * (256 * 1024)  # more than a pipe holds, after what take() reads

    def theirs(out):
        out.write(b"0123456789")
        out.write(tail)

    done = child.shared(theirs, lambda: "mine", take=lambda channel: channel.read(4).decode())
    assert done == ("mine", "0123")
    assert len(forked) == 1 and no_child_left() and descriptors() == before


@needs_proc
def test_a_take_that_raises_gives_none_and_leaves_no_child(channel, forked):
    def take(channel):
        channel.read(3)
        raise ValueError("not what the child sends")

    before = descriptors()
    done = child.shared(lambda out: out.write(b"y" * (256 * 1024)), lambda: 5, take=take)
    assert done == (5, None)
    assert no_child_left() and descriptors() == before


# --- what a child sends before it is done (child.start's early) -------------------------------------

def early_bytes_in_a_temporary_file(monkeypatch) -> None:
    """No memfd for the early bytes: they go to a temporary file (without any memfd, the channel is a
    pipe and they go to a temporary file anyway)."""
    real_memfd = getattr(os, "memfd_create", None)
    if real_memfd is None:
        return

    def only_the_channel(name, *flags):
        if name == "portcli-early":
            raise OSError(38, "Function not implemented")
        return real_memfd(name, *flags)

    monkeypatch.setattr(os, "memfd_create", only_the_channel, raising=False)


@needs_proc
@pytest.mark.parametrize("size", [1, 300 * 1024])
@pytest.mark.parametrize("temporary_file", [False, True])
def test_what_a_child_sends_early_comes_before_it_is_done(channel, forked, monkeypatch, tmp_path, temporary_file, size):
    """The child sends one byte, or 300 KB (more than a pipe holds), early, then waits until this
    process has read them (a file it makes after) before it writes what it sends at its end: the parent
    has the early bytes while the child still runs. Through a file in memory or, without one, a
    temporary file."""
    if temporary_file:
        early_bytes_in_a_temporary_file(monkeypatch)
    early = (bytes(range(256)) * (size // 256 + 1))[:size]
    read = tmp_path / "read"

    def theirs(out, send) -> None:
        send(early)
        while not read.exists():  # the parent has taken them: the child is still running meanwhile
            time.sleep(0.01)
        out.write(b"the rest")

    before = descriptors()
    with child.start(theirs, early=True) as started:
        assert started.early() == early
        read.touch()
        assert started.early() == early  # asked again: the same bytes
        assert started.finish() == b"the rest"
    assert len(forked) == 1 and no_child_left()
    assert descriptors() == before


@needs_proc
@pytest.mark.parametrize("second", [b"", b"two", bytes(range(256)) * 1200])
@pytest.mark.parametrize("asked", ["in order", "the second first"])
def test_a_child_sends_several_messages_early_each_whole_in_order(channel, forked, tmp_path, second, asked):
    """send() more than once: early(0), early(1), early(2) are the messages as sent (an empty one too, and
    one longer than a pipe holds), the second only once it was sent (the child waits until the parent
    has the first); asking for the second first waits for both. A message the child never sent is
    None, once it has ended, and so is every later one."""
    read = tmp_path / "read"
    third = b"\0three\n"

    def theirs(out, send) -> None:
        send(b"one")
        if asked == "in order":
            while not read.exists():
                time.sleep(0.01)
        send(second)
        send(third)
        out.write(b"the rest")

    before = descriptors()
    with child.start(theirs, early=True) as started:
        if asked == "in order":
            assert started.early(0) == b"one"
            read.touch()
        assert started.early(1) == second
        assert (started.early(0), started.early(2), started.early(1)) == (b"one", third, second)
        assert started.early(3) is None and started.early(4) is None and started.early(2) == third
        assert started.finish() == b"the rest"
    assert len(forked) == 1 and no_child_left()
    assert descriptors() == before


@needs_proc
@pytest.mark.parametrize("temporary_file", [False, True])
def test_messages_sent_while_this_process_reads_the_earlier_ones_arrive_whole(channel, forked, monkeypatch,
                                                                             temporary_file):
    """The child sends 80 messages of mixed sizes (none to 200 KB) back to back while this process reads
    each as soon as it is there: the file the messages go into is one file for both processes (opened
    before the fork), and reading one must not move where the child writes the next."""
    if temporary_file:
        early_bytes_in_a_temporary_file(monkeypatch)
    messages = [bytes([i]) * ((i * 7919) % 200_000 if i % 3 else i) for i in range(80)]

    def theirs(out, send) -> None:
        for message in messages:
            send(message)

    with child.start(theirs, early=True) as started:
        got = [started.early(i) for i in range(len(messages))]
        assert started.early(len(messages)) is None
        assert started.finish() == b""
    assert [len(m) for m in got] == [len(m) for m in messages] and got == messages
    assert no_child_left()


@needs_proc
@pytest.mark.parametrize("how", ["sends nothing", "exits", "dies", "raises"])
def test_a_child_that_ends_without_sending_early_gives_none_and_is_not_waited_for_twice(channel, forked, how):
    """early() is None when the child ended without sending (having written, or failed); what it wrote
    is still taken when it ended well."""
    import signal

    def theirs(out, send) -> None:
        out.write(b"written")
        out.flush()
        if how == "exits":
            os._exit(3)
        if how == "dies":
            os.kill(os.getpid(), signal.SIGKILL)
        if how == "raises":
            raise RuntimeError("no early bytes")

    before = descriptors()
    started = child.start(theirs, early=True)
    assert started.early() is None and started.early() is None
    assert started.finish() == (b"written" if how == "sends nothing" else None)
    assert no_child_left() and descriptors() == before


@needs_proc
def test_a_child_stopped_before_it_was_asked_gives_none_and_leaves_nothing_open(channel, forked):
    before = descriptors()

    def theirs(out, send) -> None:
        time.sleep(30)  # killed long before
        send(b"late")

    started = child.start(theirs, early=True)
    started.stop()
    assert started.early() is None
    assert no_child_left() and descriptors() == before


def test_a_child_started_without_early_is_given_only_its_channel(channel, forked):
    """theirs(out), as ever; early() is None at once, nothing waited for."""
    with child.start(lambda out, *more: out.write(repr(more).encode())) as started:
        assert started.early() is None
        assert started.finish() == b"()"


@needs_proc
def test_a_fork_that_fails_with_an_early_channel_leaves_nothing_open(monkeypatch, forked):
    def no_more_processes():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    before = descriptors()
    monkeypatch.setattr(os, "fork", no_more_processes)
    assert child.start(lambda out, send: None, early=True) is None
    assert descriptors() == before


@needs_proc
def test_without_a_channel_for_early_bytes_the_child_still_runs_and_the_parent_does_without(channel, forked, monkeypatch):
    """No pipe to say the early bytes are there (too many open files): the child is given a send that
    takes them, runs as ever, and early() is None."""
    real_pipe = os.pipe
    pipes = []

    def pipe():  # the channel's pipe, where it is one; none for the early bytes
        if pipes or channel == "memfd":
            raise OSError(24, "Too many open files")
        pipes.append(real_pipe())
        return pipes[-1]

    monkeypatch.setattr(os, "pipe", pipe)
    before = descriptors()

    def theirs(out, send) -> None:
        send(b"nowhere")
        out.write(b"written")

    with child.start(theirs, early=True) as started:
        assert started.early() is None
        assert started.finish() == b"written"
    assert no_child_left() and descriptors() == before


@pytest.mark.parametrize("temporary_file", [False, True])
def test_a_message_read_back_in_short_pieces_still_arrives_whole(channel, forked, monkeypatch, temporary_file):
    """os.pread may give fewer bytes than asked (on Linux one read gives at most 0x7ffff000 bytes, so
    a message past 2 GiB comes in pieces): this process reads on from where the last piece ended until
    it has the whole message. Here every read gives at most 1,000 bytes."""
    if temporary_file:
        early_bytes_in_a_temporary_file(monkeypatch)
    messages = [bytes(range(256)) * 40 + b"end", b"", b"x" * 2_999, "第二".encode() * 5_000]
    real_pread = os.pread
    pieces = []

    def short_pread(fd: int, size: int, at: int) -> bytes:
        piece = real_pread(fd, min(size, 1_000), at)
        pieces.append(len(piece))
        return piece

    monkeypatch.setattr(os, "pread", short_pread)

    def theirs(out, send) -> None:
        for message in messages:
            send(message)
        out.write(b"the rest")

    with child.start(theirs, early=True) as started:
        got = [started.early(i) for i in range(len(messages))]
        assert started.early(len(messages)) is None
        assert started.finish() == b"the rest"
    assert [len(m) for m in got] == [len(m) for m in messages] and got == messages
    assert len(pieces) > 40  # read in pieces indeed
    assert no_child_left()
