"""Work shared with a forked child: on a machine of two CPUs or more, a child does part of a big job
(the first read of many files, the measures of half the plans of a big tree) while this process
does the rest.

The child only saves time. Whatever it fails to do (it cannot be started, it dies, it sends
something else) the caller does itself, so no result depends on it; it never writes to the
terminal, and it never outlives the process that started it.
"""
from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing: the everyday queries do not (test_fast_path)
if TYPE_CHECKING:
    from typing import BinaryIO, Callable, TypeVar

    T = TypeVar("T")


# The part of the work a child takes: a little under half, as it also sends what it did, and the
# parent reads that in.
SHARE = 0.45


def split(sizes: list[int], share: float) -> int:
    """Where to cut work of these sizes (plans' measures, in order) so that the child takes the last
    `share` of it: the index of the child's first part, at least 1, at most len(sizes) - 1 (each side
    has one); a part across the line goes where most of it is."""
    taken, mine, at = 0, sum(sizes) * (1 - share), 0
    while at < len(sizes) - 1 and taken + sizes[at] / 2 < mine:
        taken += sizes[at]
        at += 1
    return max(at, 1)


def can_fork() -> bool:
    """Whether a child can take part of the work: fork exists, this process runs one thread (a child
    forked while another thread holds a lock, the import lock or a logging lock, would wait for it
    forever), and there is a second CPU for it to run on."""
    threading = sys.modules.get("threading")
    return hasattr(os, "fork") and (threading is None or threading.active_count() == 1) and cpus() > 1


def cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def shared(theirs: Callable[[BinaryIO], None], mine: Callable[[], T],
           take: Callable[[BinaryIO], object] = lambda sent: sent.read()) -> tuple[T, object] | None:
    """mine() run here while a forked child runs theirs(out): (what mine() gave, what take() makes of
    what theirs wrote to `out` (its bytes, by default), or None when the child failed or take() raised).
    None when no child can be started; then neither ran. When mine() raises, the child is stopped before
    the exception goes on. (take() reads the channel itself: 25 MB of a child's lines are not held as
    bytes beside what is made of them.)"""
    return alongside(start(theirs), mine, take)


def alongside(started: Started | None, mine: Callable[[], T],
              take: Callable[[BinaryIO], object] = lambda sent: sent.read()) -> tuple[T, object] | None:
    """As `shared`, with the child `started` already (None: no child could be, and mine() does not run)."""
    if started is None:
        return None
    with started:
        return mine(), started.finish(take)


def start(theirs: Callable[..., None], early: bool = False) -> Started | None:
    """theirs(out) started in a forked child, for Started.finish to take what it sent; None when no
    child can be started (then it did not run). With `early`, theirs(out, send) is given `send(data)`
    too, to send bytes before it is done, once or more (Started.early: what the parent needs to go on
    with its own part, in the order sent; where they cannot be sent, send takes them and the parent
    gets None). theirs sends them before it writes much into `out`: where `out` is a pipe (no memfd),
    the parent reads it only after it has them. Used as a context (`with`): whatever this process
    meets before it finishes, the child is stopped, never left running."""
    # What the child sends waits in a file in memory where there is one: a pipe holds 64 KB, and a
    # child with more to send (28 MB of JSON at 100,000 measures) would wait for this process to be
    # done before it could finish.
    try:
        reading = writing = os.memfd_create("portcli-child", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        try:
            reading, writing = os.pipe()
        except OSError:
            return None
    pipe = reading != writing
    early_channel = _Early.made() if early else None
    try:
        pid = os.fork()
    except OSError:
        os.close(reading)
        if pipe:
            os.close(writing)
        if early_channel is not None:
            early_channel.close()
        return None
    if pid == 0:  # the child: never return into the caller's code, never flush the parent's buffers
        code = 1
        try:
            if pipe:
                os.close(reading)
            _quiet()
            with open(writing, "wb") as out:
                if not early:
                    theirs(out)
                else:  # no channel for them: the bytes go nowhere, and the parent does without
                    theirs(out, early_channel.send if early_channel is not None else lambda _sent: None)
            code = 0
        finally:
            os._exit(code)
    if pipe:
        os.close(writing)
    if early_channel is not None:
        early_channel.close_ready_end()  # the child's: this process sees the pipe end when the child ends
    return Started(pid, open(reading, "rb"), pipe, early_channel)


class _Early:
    """What a child sends before it is done (start's `early`): messages in a file in memory (a memfd,
    else a temporary file), each after its length, and a pipe on which the child tells that one more
    is all there, by one byte. The pipe ends without that byte when the child ends without sending it."""

    def __init__(self, data: BinaryIO, ready_read: int, ready_write: int) -> None:
        self.data, self.ready_read, self.ready_write = data, ready_read, ready_write
        self.got: list[bytes] = []  # the messages received, in order
        self.read_to = 0  # where the next message starts in `data`

    @classmethod
    def made(cls) -> _Early | None:
        try:
            data: BinaryIO = open(os.memfd_create("portcli-early", os.MFD_CLOEXEC), "w+b")
        except (AttributeError, OSError):
            import tempfile  # here: only where there is no memfd

            try:
                data = tempfile.TemporaryFile()
            except OSError:
                return None
        try:
            ready_read, ready_write = os.pipe()
        except OSError:
            data.close()
            return None
        return cls(data, ready_read, ready_write)

    def send(self, sent: bytes) -> None:
        """In the child: the next message, `sent`, then the byte that says it is all there."""
        self.data.write(len(sent).to_bytes(8, "little") + sent)
        self.data.flush()
        os.write(self.ready_write, b"\1")

    def received(self, which: int = 0) -> bytes | None:
        """In the parent: the child's message `which` (0: the first), once it has sent it (waiting for
        it); None when it ended without, or this was closed before it was asked."""
        while len(self.got) <= which and self.ready_read >= 0:
            try:
                if not os.read(self.ready_read, 1):  # no byte to say one more is there: the child ended
                    break
                size = int.from_bytes(self._read(self.read_to, 8), "little")
                message = self._read(self.read_to + 8, size)
            except OSError:
                break
            self.got.append(message)
            self.read_to += 8 + size
        else:
            return self.got[which] if which < len(self.got) else None
        self.close()  # nothing more comes
        return None

    def _read(self, at: int, size: int) -> bytes:
        """`size` bytes from `at`, read without moving the file's position: the child writes its next
        message at that position, which it shares with this process (one file, opened before the fork)."""
        pieces = []
        while size > 0:
            piece = os.pread(self.data.fileno(), size, at)
            if not piece:
                raise OSError("the message is cut short")
            pieces.append(piece)
            at += len(piece)
            size -= len(piece)
        return b"".join(pieces)

    def close_ready_end(self) -> None:
        """The end of the pipe the child writes to, closed (in the parent once forked)."""
        os.close(self.ready_write)
        self.ready_write = -1

    def close(self) -> None:
        """Every descriptor closed, once (a number closed twice may be another file's by then)."""
        for fd in (self.ready_read, self.ready_write):
            if fd >= 0:
                os.close(fd)
        self.ready_read = self.ready_write = -1
        self.data.close()


class Started:
    """A child started by `start`, running until `finish` takes what it sent or `stop` ends it."""

    def __init__(self, pid: int, channel: BinaryIO, pipe: bool, early_channel: _Early | None = None) -> None:
        self.pid, self.channel, self.pipe, self.early_channel = pid, channel, pipe, early_channel

    def early(self, which: int = 0) -> bytes | None:
        """The child's message `which` of those it sends before it is done (start's `early`; 0: the
        first), once it has sent it (waiting for it); None when it ended, or was stopped, without
        sending it, or was not started with `early`, or no channel for them could be made."""
        return None if self.early_channel is None else self.early_channel.received(which)

    def finish(self, take: Callable[[BinaryIO], object] = lambda sent: sent.read()) -> object:
        """What take() makes of what the child sent, once it has ended well; None when it failed
        (or take() raised)."""
        sent = None
        try:
            if self.pipe:  # read until the child closes it, or it could not finish
                data = take(self.channel)
                self.channel.read()  # what take() left: the child must not wait on a full pipe
                status = self._ended()
            else:  # a file: read from its start once the child is done with it
                status = self._ended()
                self.channel.seek(0)
                data = take(self.channel) if status == 0 else None
            sent = data if status == 0 else None
        except Exception:  # a child that died, or a channel that broke
            pass
        finally:
            self.stop()
        return sent

    def _ended(self) -> int:
        pid, self.pid = self.pid, 0
        return _ended(pid)

    def stop(self) -> None:
        """The child ended (killed if it still runs) and its channel closed: this process is done with it."""
        import signal  # here: a run that starts no child needs none

        if self.pid:
            try:
                if os.waitpid(self.pid, os.WNOHANG) == (0, 0):  # still running, so the pid is still its
                    os.kill(self.pid, signal.SIGKILL)
                    os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.pid = 0
        self.channel.close()
        if self.early_channel is not None:
            self.early_channel.close()

    def __enter__(self) -> Started:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _ended(pid: int) -> int:
    """The child's exit status, once it has ended."""
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:  # SIGCHLD ignored: reaped already; what it sent speaks for it
        return 0


def _quiet() -> None:
    """The child's stdout and stderr go nowhere: what it has to say, it sends; the parent's output
    is the parent's alone."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass
