"""One server as the fuzzer sees it: the process, a main connection and a spare one for waking blocked commands.

Replies are conftest's raw RESP values (RespError for errors, the exact text the server sent), so error texts
are compared as they were on the wire, with no client formatting.
"""

import time

from conftest import HOST, RawConnection, RespError

CLOSED = "(connection closed)"
NO_REPLY = "(no reply)"


class Endpoint:
    def __init__(self, name, server):
        self.name = name
        self.server = server
        self.conn = None
        self.waker = None
        self.client_id = None

    # ----------------------------------------------------------- connections
    def connect(self):
        self.close()
        self.conn = RawConnection(HOST, self.server.port, timeout=10.0)
        self.client_id = self.conn.command("CLIENT", "ID")

    def waker_conn(self):
        if self.waker is None:
            self.waker = RawConnection(HOST, self.server.port, timeout=5.0)
        return self.waker

    def close(self):
        for c in (self.conn, self.waker):
            if c is not None:
                c.close()
        self.conn = self.waker = None

    # --------------------------------------------------------------- traffic
    def send(self, *commands):
        """Send commands pipelined; False if the connection is gone."""
        try:
            self.conn.send(b"".join(RawConnection.encode(*words) for words in commands))
            return True
        except OSError:
            return False

    def read(self, timeout):
        """One reply, or CLOSED / NO_REPLY."""
        try:
            return self.conn.read_reply(timeout)
        except TimeoutError:
            return NO_REPLY
        except (ConnectionError, OSError):
            return CLOSED

    def read_first_line(self, timeout):
        """The first line of the next reply (its type and length), without waiting for the rest."""
        deadline = time.monotonic() + timeout
        data = self.conn.buf
        try:
            while b"\r\n" not in data:
                self.conn.sock.settimeout(max(deadline - time.monotonic(), 0.01))
                chunk = self.conn.sock.recv(65536)
                if not chunk:
                    return CLOSED
                data += chunk
        except TimeoutError:
            return NO_REPLY
        except OSError:
            return CLOSED
        return data.split(b"\r\n", 1)[0].decode("utf-8", "replace")

    def pipeline(self, commands, timeout=10.0):
        """Send commands together and read one reply for each (stops at the first CLOSED / NO_REPLY)."""
        if not self.send(*commands):
            return [CLOSED]
        replies = []
        deadline = time.monotonic() + timeout
        for _ in commands:
            reply = self.read(max(deadline - time.monotonic(), 0.01))
            replies.append(reply)
            if reply in (CLOSED, NO_REPLY):
                break
        return replies

    def wake(self, words):
        """Run `words` on the spare connection (to unblock the main one); errors are not interesting here."""
        try:
            self.waker_conn().command(*words, timeout=5.0)
        except (OSError, ConnectionError, TimeoutError):
            if self.waker is not None:
                self.waker.close()
            self.waker = None

    def unblock_main(self):
        if self.client_id is not None and not isinstance(self.client_id, RespError):
            self.wake(["CLIENT", "UNBLOCK", str(self.client_id)])

    # -------------------------------------------------------------- liveness
    def answers_ping(self, timeout=5.0):
        try:
            probe = RawConnection(HOST, self.server.port, timeout=timeout)
        except OSError:
            return False
        try:
            return probe.command("PING", timeout=timeout) == "PONG"
        except (OSError, ConnectionError, TimeoutError):
            return False
        finally:
            probe.close()
