"""The common alternative to cxkit: page zchat /history with `requests`, write JSON Lines.

usage: export_requests.py BASE_URL TOKEN OUT FROM TO LIMIT
"""
import json
import sys

import requests


def main() -> None:
    base, token, out, start, end, limit = sys.argv[1:7]
    limit = int(limit)
    session = requests.Session()
    rows = 0
    page = 1
    with open(out, "w", encoding="utf-8") as f:
        while True:
            params = {"token": token, "from": start, "to": end, "limit": limit, "page": page}
            response = session.get(f"{base}/history", params=params, timeout=120)
            response.raise_for_status()
            body = response.json()
            if not body.get("success", False):
                raise SystemExit(f"error: {body.get('error')}")
            data = body["data"]
            for row in data:
                f.write(json.dumps(row, ensure_ascii=False))
                f.write("\n")
            rows += len(data)
            if len(data) < limit:
                break
            page += 1
    print(rows)


if __name__ == "__main__":
    main()
