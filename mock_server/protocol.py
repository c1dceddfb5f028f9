"""The HTTP protocol the server runs: uvicorn's httptools one, with a JSON 400 for bad HTTP.

A request uvicorn cannot parse (not HTTP, a bad header) never reaches the app; uvicorn
answers it itself, as ``text/plain``. Here that answer is a Graviti error like every
other: 400 ``InvalidParamsValue`` as ``{"code", "message"}`` JSON, then the connection
is closed, as uvicorn does.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from mock_server.core.errors import InvalidParams, encode_error


class JsonHttpToolsProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        body = encode_error(InvalidParams.code, f"Malformed HTTP request: {msg}")
        content = [STATUS_LINE[400]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: application/json\r\n",
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()
