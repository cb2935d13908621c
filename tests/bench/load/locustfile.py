"""The simulated people of ``make bench-load`` (run by locust, started by ``__main__``).

- ``Learner``: signed in beforehand (its cookies in the plan), starts the CRCN campaign, then
  answers one question per step (the answer POST, then the next question's GET, as a browser
  follows the redirect) until the results page, and starts again. Right about 60 % of the
  time, else « Je ne sais pas ». Each comes from an address of its own (``X-Forwarded-For``,
  as behind the proxy).
- ``EmployerPage`` opens a published badge's page ``/c/<id>``; ``EmployerApi`` posts a badge
  to ``/api/verifier``; ``Health`` asks ``/healthz`` twice a second (the baseline).

Settings come from the environment: ``LOAD_PLAN`` (the seed's plan and the learners' cookies),
``LOAD_THINK`` (1: 1–3 s between steps), ``LOAD_LEARNERS`` / ``LOAD_PAGES`` / ``LOAD_APIS`` /
``LOAD_HEALTH`` (how many of each), ``LOAD_ACK`` (a file where each answer the server
acknowledged is written, to look for it in the database afterwards). Every request gives up
after ``TIMEOUT`` seconds.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from urllib.parse import urlsplit

from locust import HttpUser, between, constant, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
THINK = os.environ.get("LOAD_THINK") == "1"
ACK = os.environ.get("LOAD_ACK")
TIMEOUT = 30
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ITEM_ID = re.compile(r'name="item_id" value="(\d+)"')
SESSION = re.compile(r"/apprenant/evaluations/(\d+)")
_people = itertools.count()


def _path(location: str) -> str:
    return urlsplit(location).path


class Learner(HttpUser):
    fixed_count = int(os.environ.get("LOAD_LEARNERS", "0"))
    wait_time = between(1, 3) if THINK else constant(0)

    def on_start(self) -> None:
        self.me = PLAN["people"][next(_people) % len(PLAN["people"])]
        self.client.cookies.update(self.me["cookies"])
        self.client.headers["X-Forwarded-For"] = self.me["address"]
        self.session_path: str | None = None
        self.page = ""
        self.token = self.me["token"]
        self.chance = random.Random(self.me["login"])

    def _get(self, path: str, name: str, expect: int = 200) -> str:
        with self.client.get(
            path, name=name, timeout=TIMEOUT, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != expect:
                response.failure(f"HTTP {response.status_code}")
                return ""
            found = TOKEN.search(response.text)
            self.token = found.group(1) if found else self.token
            return response.text

    def _post(self, path: str, name: str, data: dict) -> tuple[str | None, object]:
        """POST a form; the redirect's path (None on anything but 303)."""
        with self.client.post(
            path,
            name=name,
            data={**data, "csrf_token": self.token},
            timeout=TIMEOUT,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 303:
                response.failure(f"HTTP {response.status_code}")
                return None, response
            return _path(response.headers["Location"]), response

    @task
    def step(self) -> None:
        if self.session_path is None:
            self._start()
        elif not ITEM_ID.search(self.page):
            self.page = self._get(self.session_path, "question GET")  # after an error
        else:
            self._answer()

    def _start(self) -> None:
        code = PLAN["campaign_code"]
        self._get(f"/apprenant/campagne/{code}", "campaign page GET")
        location, _ = self._post(f"/apprenant/campagne/{code}", "start POST", {})
        if location and SESSION.search(location):
            self.session_path = SESSION.search(location).group(0)
            self.page = self._get(self.session_path, "question GET")

    def _answer(self) -> None:
        item_id = ITEM_ID.search(self.page).group(1)
        right = self.chance.random() < 0.6
        fields = PLAN["answers"].get(item_id, {}) if right else {}
        data = {"item_id": item_id, "intent": "answer" if right else "skip", **fields}
        path = f"{self.session_path}/reponse"
        location, response = self._post(path, "answer POST", data)
        if location is None:
            self.page = ""
            return
        last = location.endswith("/resultats")
        if last:  # scoring and badges were in this POST: counted apart
            response.request_meta["name"] = "last answer POST"
        if ACK:
            with open(ACK, "a", encoding="utf-8") as out:
                out.write(f"{self.session_path.rsplit('/', 1)[1]} {item_id}\n")
        if last:
            self._get(location, "results GET")
            self.session_path, self.page = None, ""
        else:
            self.page = self._get(location, "question GET")


class EmployerPage(HttpUser):
    fixed_count = int(os.environ.get("LOAD_PAGES", "0"))
    wait_time = between(1, 3) if THINK else constant(0)

    def on_start(self) -> None:
        self.client.headers["X-Forwarded-For"] = (
            f"10.9.{random.randrange(256)}.{random.randrange(1, 255)}"
        )

    @task
    def open_badge(self) -> None:
        badge = random.choice(PLAN["credentials"])
        with self.client.get(
            f"/c/{badge['id']}", name="/c/<id>", timeout=TIMEOUT, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


class EmployerApi(HttpUser):
    fixed_count = int(os.environ.get("LOAD_APIS", "0"))
    wait_time = between(1, 3) if THINK else constant(0)

    def on_start(self) -> None:
        self.client.headers["X-Forwarded-For"] = (
            f"10.8.{random.randrange(256)}.{random.randrange(1, 255)}"
        )

    @task
    def verify(self) -> None:
        badge = random.choice(PLAN["credentials"])
        with self.client.post(
            "/api/verifier",
            name="/api/verifier",
            data=badge["json"],
            headers={"Content-Type": "application/json"},
            timeout=TIMEOUT,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif response.json().get("verdict") != "valid":
                response.failure(f"verdict {response.json().get('verdict')}")


class Health(HttpUser):
    fixed_count = int(os.environ.get("LOAD_HEALTH", "0"))
    wait_time = constant(0.5) if os.environ.get("LOAD_HEALTH_ONLY") != "1" else constant(0)

    @task
    def health(self) -> None:
        with self.client.get(
            "/healthz", name="/healthz", timeout=TIMEOUT, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
