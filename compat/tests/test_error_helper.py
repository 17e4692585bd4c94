"""The suite's own error helper: every assertion on an error text goes through full_error, so it must give the
server's exact line whatever form the installed redis-py hands the error in."""

import pytest
import redis
from redis._parsers.base import BaseParser

from conftest import full_error

SERVER_LINES = [
    "ERR unknown command 'FOO', with args beginning with: ",
    "WRONGTYPE Operation against a key holding the wrong kind of value",
    "NOAUTH Authentication required.",
    "BUSYGROUP Consumer Group name already exists",
    "NOGROUP No such key 'k' or consumer group 'g' in XREADGROUP with GROUP option",
    "OOM command not allowed when used memory > 'maxmemory'.",
    "EXECABORT Transaction discarded because of previous errors.",
    "Error without a code",
]


@pytest.mark.parametrize("line", SERVER_LINES)
def test_installed_redis_py_errors_give_the_server_line(line):
    assert full_error(BaseParser.parse_error(line)) == line


@pytest.mark.parametrize("line", SERVER_LINES[:-1])
def test_code_split_off_the_message_gives_the_server_line(line):
    code, _, message = line.partition(" ")
    assert full_error(redis.ResponseError(message, status_code=code)) == line


@pytest.mark.parametrize("line", SERVER_LINES[:-1])
def test_code_kept_in_the_message_is_not_doubled(line):
    code = line.split(" ")[0]
    assert full_error(redis.ResponseError(line, status_code=code)) == line
