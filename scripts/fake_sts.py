"""A local stand-in for AWS STS GetCallerIdentity, so fixture plans carry a real account offline.

scripts/gen-fixtures.sh starts it on 127.0.0.1:18777 (the `endpoints { sts = ... }` of the fixtures'
provider block). The AWS provider asks STS for the account when it configures itself (which
`allowed_account_ids` is checked against) and for the `aws_caller_identity` data source; both get
the account given on the command line. Nothing else is answered: any other call is a 400 error.

Usage: python3 scripts/fake_sts.py PORT ACCOUNT
"""

from __future__ import annotations

import http.server
import sys
from urllib.parse import parse_qs

RESPONSE = """<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::{account}:user/terraform</Arn>
    <UserId>AIDAFIXTUREFIXTURE0000</UserId>
    <Account>{account}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>
"""


def handler(account: str) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if parse_qs(body).get("Action") != ["GetCallerIdentity"]:
                self.send_response(400)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.end_headers()
            self.wfile.write(RESPONSE.format(account=account).encode())

        def log_message(self, *args: object) -> None:  # quiet
            pass

    return Handler


def main() -> None:
    port, account = int(sys.argv[1]), sys.argv[2]
    http.server.HTTPServer(("127.0.0.1", port), handler(account)).serve_forever()


if __name__ == "__main__":
    main()
