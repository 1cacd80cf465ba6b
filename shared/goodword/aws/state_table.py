"""StateTable, the DynamoDB adapter of ``ports.StateStore``: person profiles, limit claims,
work records and send counters. Every limit is a conditional write, and all the claims of
one rule acting go in one transaction: either the rule acts and every limit is charged, or
nothing is written and the result says which limit stopped it. Never read-then-write.

    pk = PERSON#<platform>#<account>#<author>, sk = PROFILE        the profile
                                               sk = SEEN#<event>   counted once (expires)
                                               sk = RULE#<rule>    once per person
                                               sk = COOLDOWN       automated contact
    pk = HUMAN#<id>,         sk = IDENTITY#<PERSON#...>      a person's linked identities
                             sk = RULE#<rule>               once per person, scope person
    pk = CAP#<rule>,         sk = DAY#<date> | WEEK#<year-Wnn> | TOTAL
    pk = OFFER#<id> | ACTION#<id>, sk = WORK   work records; offers also in the ByState
                                               index: gsi1pk = OFFERS#<state> (flags:
                                               FLAGS#<state>),
                                               gsi1sk = <created_at>#<id> (actions are not:
                                               an index write per action and per state change
                                               would cost more than reading them by event);
                                               offers by their claim code in the ByClaimCode
                                               index (keys only); an offer's ``claim_state``
                                               and ``claimed_at`` are written with its claim,
                                               in ClaimsTable's transaction (offer_claim_write)
    pk = <mark>,             sk = MARK         once-ever marks (a private reply per comment,
                                               a Slack notice per offer: SLACK_NOTICE#<id>)
    pk = RATE#<counter>,     sk = RATE         send- and read-rate windows (expire)
    pk = FETCH#<kind>#<account>#<object>, sk = FETCH   a platform's answer to an
                                               enrichment read, reused until it expires
    pk = ERASURE#<id>,       sk = ERASURE      an erasure happened (when, by whom, counts)
    pk = SUPPRESSED#<hmac>,  sk = SUPPRESSED   an erased person's opt-out: HMAC-SHA256 of the
                                               identity key, never erased (opt_out.suppression_digest)
    pk = SUPPRESSION#KEY,    sk = KEY          the stack's random HMAC key, made on first use
    pk = EXAMPLE#<event>,    sk = JUDGEMENT    the judge's labelled examples (sentiment.examples),
                                               gsi1pk = JUDGEMENT#EXAMPLES, gsi1sk = <at>#<event>

This class is StateTable's one writer. Conditional writes go through writes.conditional,
scans through codec.scan.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from goodword.aws import clients
from goodword.aws.codec import batch_get, from_dynamodb, items, key, partition, plain, scan, to_dynamodb
from goodword.aws.writes import cancellation_codes, conditional, put_new
from goodword.claims.states import ClaimState, check_claim_transition
from goodword.events import Event
from goodword.limits import Cap, Claim, ClaimResult, Contact, Cooldown, OncePerPerson, RecordWork, result_of
from goodword.opt_out import suppression_digest
from goodword.people import Profile, handle_key, identity_parts, is_mention, person_key
from goodword.sentiment.examples import Example
from goodword.work import ERASED_PERSON, REVIEWED, RejectReason, WorkKind, WorkRecord, WorkState, check_transition, work_key

PROFILE_SK = "PROFILE"
HANDLE_OWNER_SK = "OWNER"  # pk: people.handle_key, the identity that first showed the handle
WORK_SK = "WORK"
FETCH_SK = "FETCH"
SUPPRESSION_KEY_PK = "SUPPRESSION#KEY"
EXAMPLE_SK = "JUDGEMENT"
EXAMPLES_INDEX = "JUDGEMENT#EXAMPLES"
SEEN_DAYS = 400
OFFERED = "offered"  # claims.states.ClaimState.OFFERED: an offer not claimed yet (or no claim_state)


def offers_index_key(state: WorkState) -> str:
    return f"OFFERS#{state.value}"


def review_index_key(kind: WorkKind, state: WorkState) -> str:
    """Offers by state (OFFERS#<state>), and flags apart (FLAGS#<state>): the review queue."""
    return offers_index_key(state) if kind is WorkKind.OFFER_SAMPLE else f"FLAGS#{state.value}"


def work_item(record: WorkRecord) -> dict[str, Any]:
    fields = record.fields()
    if not record.dry_run:
        fields.pop("dry_run")  # stored only when it is true: every byte is write units
    item = {"pk": record.key, "sk": WORK_SK, **fields}
    if record.kind in REVIEWED:
        item["gsi1pk"] = review_index_key(record.kind, record.state)
        item["gsi1sk"] = f"{record.created_at}#{record.id}"
    return item


def work_from_item(item: dict[str, Any]) -> WorkRecord:
    return WorkRecord.model_validate(plain(item))


CLAIM_CODE_LOOKED_UP = 64  # characters: longer than any claim code Goodword makes, never looked up


def offer_claim_write(table: str, offer_key: str, to: str, claimed_at: str | None = None) -> dict[str, Any]:
    """The offer's part of a claim's transaction (ClaimsTable writes it with the claim: all or
    nothing). With ``claimed_at`` the claim is new: only a sent offer, not claimed or expired
    yet, takes it; otherwise the claim moved, and the offer, which must be there, follows."""
    if claimed_at is None:
        return {
            "Update": {
                "TableName": table,
                "Key": key(offer_key, WORK_SK),
                "UpdateExpression": "SET claim_state = :to",
                "ConditionExpression": "attribute_exists(pk)",  # never a stub for an offer that is not there
                "ExpressionAttributeValues": to_dynamodb({":to": to}),
            }
        }
    return {
        "Update": {
            "TableName": table,
            "Key": key(offer_key, WORK_SK),
            "UpdateExpression": "SET claim_state = :to, claimed_at = :at",
            "ConditionExpression": "#s = :sent AND (attribute_not_exists(claim_state) OR claim_state = :offered)",
            "ExpressionAttributeNames": {"#s": "state"},
            "ExpressionAttributeValues": to_dynamodb(
                {":to": to, ":at": claimed_at, ":sent": WorkState.SENT.value, ":offered": OFFERED}
            ),
        }
    }


def person_claim_write(table: str, person: str) -> dict[str, Any]:
    """The person's part of a new claim's transaction: their identity's ``claims_made`` counts
    it (``person.claims_total`` adds it up over linked identities), in the same all-or-nothing
    write as the claim, so a claim refused is never counted."""
    return {
        "Update": {
            "TableName": table,
            "Key": key(person, PROFILE_SK),
            "UpdateExpression": "ADD claims_made :one",
            "ExpressionAttributeValues": to_dynamodb({":one": 1}),
        }
    }


class StateTable:
    def __init__(self, table_name: str) -> None:
        self.table = table_name
        self._key: bytes | None = None  # the suppression key, once read

    # --- reads ---------------------------------------------------------------------------

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        item = clients.dynamodb().get_item(TableName=self.table, Key=key(pk, sk), ConsistentRead=True).get("Item")
        return from_dynamodb(item) if item else None

    def profile(self, person: str) -> Profile | None:
        item = self._get(person, PROFILE_SK)
        return Profile.from_item(item) if item and "first_seen" in item else None

    def has_seen(self, person: str, event_id: str) -> bool:
        return self._get(person, f"SEEN#{event_id}") is not None

    def once_marker(self, person: str, rule_id: str) -> tuple[bool, int | None]:
        item = self._get(person, f"RULE#{rule_id}")
        if item is None:
            return False, None
        return True, int(item["expires_at"]) if item.get("expires_at") is not None else None

    def cooldown_until(self, person: str) -> int | None:
        item = self._get(person, "COOLDOWN")
        return int(item["until"]) if item else None

    def cap_count(self, rule_id: str, period: str) -> int:
        item = self._get(f"CAP#{rule_id}", period)
        return int(item.get("count", 0)) if item else 0

    def cap_counts(self, rule_ids: Iterable[str], period: str) -> dict[str, int]:
        """Many rules' counts for one period (the report's budget used)."""
        rule_ids = list(rule_ids)
        found = batch_get(self.table, ((f"CAP#{r}", period) for r in rule_ids))
        return {r: int(found.get((f"CAP#{r}", period), {}).get("count", 0)) for r in rule_ids}

    def profiles(self, people: Iterable[str]) -> dict[str, Profile]:
        found = batch_get(self.table, ((p, PROFILE_SK) for p in people))
        return {pk: Profile.from_item(item) for (pk, _), item in found.items() if "first_seen" in item}

    # --- profiles ------------------------------------------------------------------------

    def record_event(self, event: Event, positive: bool, now: datetime) -> Profile | None:
        person = person_key(event)
        if person is None or event.author is None:
            return None
        mention = is_mention(event)
        names = {
            "#fs": "first_seen",
            "#ls": "last_seen",
            "#fe": "first_event_id",
            "#mc": "mention_count",
            "#pc": "positive_mention_count",
            "#pl": "platform",
            "#ba": "brand_account",
            "#ai": "author_id",
        }
        values: dict[str, Any] = {
            ":t": now.isoformat(),
            ":e": event.event_id,
            ":m": 1 if mention else 0,
            ":p": 1 if mention and positive else 0,
            ":pl": event.platform.value,
            ":ba": event.brand_account,
            ":ai": event.author.id,
        }
        sets = ["#fs = if_not_exists(#fs, :t)", "#ls = :t", "#fe = if_not_exists(#fe, :e)", "#pl = :pl", "#ba = :ba", "#ai = :ai"]
        if mention:
            names["#fm"] = "first_mention_event_id"
            sets.append("#fm = if_not_exists(#fm, :e)")
        if mention and positive:  # counted once with the SEEN marker, like the first mention
            names["#fp"] = "first_praise_event_id"
            sets.append("#fp = if_not_exists(#fp, :e)")
        if event.author.handle:
            names["#h"], values[":h"] = "handle", event.author.handle
            sets.append("#h = :h")
        if event.author.followers_count is not None:
            names["#fc"], values[":fc"] = "followers_count", event.author.followers_count
            sets.append("#fc = :fc")
        marker = {
            "pk": person,
            "sk": f"SEEN#{event.event_id}",
            "seen_at": now.isoformat(),
            "mention": mention,
            "expires_at": int((now + timedelta(days=SEEN_DAYS)).timestamp()),
        }
        try:
            clients.dynamodb().transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": to_dynamodb(marker),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": key(person, PROFILE_SK),
                            "UpdateExpression": "SET " + ", ".join(sets) + " ADD #mc :m, #pc :p",
                            "ExpressionAttributeNames": names,
                            "ExpressionAttributeValues": to_dynamodb(values),
                        }
                    },
                ]
            )
        except ClientError as exc:
            if cancellation_codes(exc)[:1] != ["ConditionalCheckFailed"]:
                raise  # the stream retries the event
        item = self._get(person, PROFILE_SK)
        assert item is not None  # noqa: S101 (written above, read consistently)
        return Profile.from_item(item)

    def overturn_praise(self, person: str, event_id: str) -> bool:
        """A reviewer said this event is not praise: if it was the person's first praise, it no
        longer is (their next praise is). False when it was not."""
        return conditional(
            "update_item",
            TableName=self.table,
            Key=key(person, PROFILE_SK),
            UpdateExpression="REMOVE #fp",
            ConditionExpression="#fp = :e",
            ExpressionAttributeNames={"#fp": "first_praise_event_id"},
            ExpressionAttributeValues=to_dynamodb({":e": event_id}),
        )

    def release_once(self, owners: Iterable[str], rule_id: str, claimed_at: str) -> bool:
        """Give back a rule's once-per-person marker that an offer claimed (the marker's ``at``
        is the offer's ``created_at``: both are written in one transaction), so a marker a
        later offer claimed is never touched. True when one was released."""
        released = False
        for owner in owners:
            released |= conditional(
                "delete_item",
                TableName=self.table,
                Key=key(owner, f"RULE#{rule_id}"),
                ConditionExpression="#at = :at",
                ExpressionAttributeNames={"#at": "at"},
                ExpressionAttributeValues=to_dynamodb({":at": claimed_at}),
            )
        return released

    def handle_owner(self, platform: str, brand_account: str, handle: str, identity: str) -> str:
        alias = handle_key(platform, brand_account, handle)
        if put_new(self.table, {"pk": alias, "sk": HANDLE_OWNER_SK, "identity": identity}):
            return identity
        item = self._get(alias, HANDLE_OWNER_SK)
        return str(item["identity"]) if item else identity

    def identities_with_handle(self, platform: str, handle: str, brand_account: str | None = None) -> list[str]:
        """Identity keys whose profile has this handle (case-insensitive match of what the
        platform sent; a scan: the command looks people up rarely)."""
        found = scan(
            self.table,
            FilterExpression="sk = :profile AND platform = :p",
            ExpressionAttributeValues=to_dynamodb({":profile": PROFILE_SK, ":p": platform}),
            ProjectionExpression="pk, handle, brand_account",
        )
        wanted = handle.lower().lstrip("@")
        return sorted(
            str(i["pk"])
            for i in found
            if str(i.get("handle", "")).lower() == wanted and (brand_account is None or i.get("brand_account") == brand_account)
        )

    def handles_like(self, fragment: str) -> dict[str, str]:
        """Identity keys whose profile's handle contains ``fragment`` (case-insensitive), with
        the handle: the console's people search (a scan, as a person types, never the pipeline)."""
        found = scan(
            self.table,
            FilterExpression="sk = :profile AND attribute_exists(handle)",
            ExpressionAttributeValues=to_dynamodb({":profile": PROFILE_SK}),
            ProjectionExpression="pk, handle",
        )
        wanted = fragment.lower().lstrip("@")
        return {str(i["pk"]): str(i["handle"]) for i in found if wanted and wanted in str(i.get("handle", "")).lower()}

    def mentions_since(self, person: str, since: datetime) -> int:
        """Mentions, replies, quotes and comments counted for this person since ``since``."""
        found = partition(
            self.table,
            person,
            "SEEN#",
            FilterExpression="mention = :yes AND seen_at >= :since",
            ExpressionAttributeValues=to_dynamodb({":yes": True, ":since": since.isoformat()}),
            ProjectionExpression="sk",
        )
        return sum(1 for _ in found)

    def tag(self, person: str, label: str) -> None:
        clients.dynamodb().update_item(
            TableName=self.table,
            Key=key(person, PROFILE_SK),
            UpdateExpression="ADD tags :t",
            ExpressionAttributeValues={":t": {"SS": [label]}},
        )

    def opt_out(self, person: str, now: datetime, why: str) -> Profile:
        answer = clients.dynamodb().update_item(
            TableName=self.table,
            Key=key(person, PROFILE_SK),
            UpdateExpression="SET opted_out_at = if_not_exists(opted_out_at, :t), opted_out_by = if_not_exists(opted_out_by, :w)",
            ConditionExpression="attribute_exists(pk)",  # a profile, never a stub
            ExpressionAttributeValues=to_dynamodb({":t": now.isoformat(), ":w": why}),
            ReturnValues="ALL_NEW",
        )
        return Profile.from_item(from_dynamodb(answer["Attributes"]))

    def opt_in(self, person: str) -> bool:
        return conditional(
            "update_item",
            TableName=self.table,
            Key=key(person, PROFILE_SK),
            UpdateExpression="REMOVE opted_out_at, opted_out_by",
            ConditionExpression="attribute_exists(opted_out_at)",
        )

    def link(self, identity: str, person_id: str) -> None:
        clients.dynamodb().update_item(
            TableName=self.table,
            Key=key(identity, PROFILE_SK),
            UpdateExpression="SET person_id = :p",  # an identity not seen yet: its profile starts here
            ExpressionAttributeValues=to_dynamodb({":p": person_id}),
        )
        clients.dynamodb().put_item(
            TableName=self.table, Item=to_dynamodb({"pk": person_id, "sk": f"IDENTITY#{identity}", "identity": identity})
        )
        for marker in partition(self.table, identity, "RULE#"):
            put_new(self.table, {**marker, "pk": person_id})  # the person's own marker, if any, stands

    def unlink(self, identity: str) -> bool:
        person_id = (self._get(identity, PROFILE_SK) or {}).get("person_id")  # seen or linked ahead
        if person_id is None:
            return False
        clients.dynamodb().update_item(TableName=self.table, Key=key(identity, PROFILE_SK), UpdateExpression="REMOVE person_id")
        clients.dynamodb().delete_item(TableName=self.table, Key=key(str(person_id), f"IDENTITY#{identity}"))
        return True

    def identities(self, person_id: str) -> list[str]:
        found = partition(self.table, person_id, "IDENTITY#")
        return sorted(str(i["identity"]) for i in found)

    # --- erasure (goodword people erase) --------------------------------------------------

    def erase_keys(self, pk: str) -> int:
        """Delete every item under ``pk`` (an identity's profile, markers and cooldown, or a
        linked person's identities and markers), and the handle the identity owns; how many
        there were."""
        parts = identity_parts(pk)
        profile = self._get(pk, PROFILE_SK) if parts else None
        handle = str(profile.get("handle") or "") if profile else ""
        owned = 0
        if parts and handle:
            alias = handle_key(parts[0], parts[1], handle)
            if (self._get(alias, HANDLE_OWNER_SK) or {}).get("identity") == pk:
                clients.dynamodb().delete_item(TableName=self.table, Key=key(alias, HANDLE_OWNER_SK))
                owned = 1
        return owned + self._erase_pk(pk)

    def _erase_pk(self, pk: str) -> int:
        found = list(partition(self.table, pk, ProjectionExpression="pk, sk"))
        for item in found:
            clients.dynamodb().delete_item(TableName=self.table, Key=key(item["pk"], item["sk"]))
        return len(found)

    def work_of(self, identities: Sequence[str]) -> list[WorkRecord]:
        """The offers and actions made for these identities, whenever they were made: a scan
        of the work records (for a person's request, never for the pipeline). A pointer per
        record written with the work would find them by key, at two write units per record
        on every event; a scan costs read units only when someone asks."""
        if not identities:
            return []
        names = {f":p{i}": identity for i, identity in enumerate(identities)}
        found = scan(
            self.table,
            FilterExpression=f"sk = :work AND person IN ({', '.join(names)})",
            ExpressionAttributeValues=to_dynamodb({":work": WORK_SK, **names}),
            ConsistentRead=True,
        )
        return [work_from_item(item) for item in found]

    def scrub_work(self, record: WorkRecord, erased_at: str) -> None:
        """Keep an offer or action as an anonymous count: who, what was said and the claim
        link go; its kind, rule, state, product and cost stay (reports and budgets add up)."""
        clients.dynamodb().update_item(
            TableName=self.table,
            Key=key(record.key, WORK_SK),
            UpdateExpression="REMOVE author_handle, author_id, message, link_message, #t, claim_link, claim_code, refs "
            "SET person = :erased, erased_at = :e",
            ExpressionAttributeNames={"#t": "text"},
            ExpressionAttributeValues=to_dynamodb({":erased": ERASED_PERSON, ":e": erased_at}),
        )

    def _suppression_key(self, make: bool = True) -> bytes | None:
        """The stack's random suppression key: made once (a conditional put: concurrent first
        uses agree on one), never changed or erased. None when there is none yet and ``make``
        is False (then nobody is suppressed)."""
        if self._key is None:
            found = self._get(SUPPRESSION_KEY_PK, "KEY")
            if found is not None:
                self._key = bytes.fromhex(str(found["key"]))
                return self._key
            if not make:
                return None
            put_new(self.table, {"pk": SUPPRESSION_KEY_PK, "sk": "KEY", "key": secrets.token_hex(32)})  # or another made it first
            item = self._get(SUPPRESSION_KEY_PK, "KEY")
            assert item is not None  # noqa: S101 (written above, read consistently)
            self._key = bytes.fromhex(str(item["key"]))
        return self._key

    def _suppression_pk(self, identity: str, make: bool = True) -> str | None:
        secret = self._suppression_key(make)
        return f"SUPPRESSED#{suppression_digest(secret, identity)}" if secret is not None else None

    def suppress(self, identity: str, at: str) -> None:
        """Keep an erased identity's opt-out as an entry that names nobody."""
        item = {"pk": self._suppression_pk(identity), "sk": "SUPPRESSED", "at": at}
        clients.dynamodb().put_item(TableName=self.table, Item=to_dynamodb(item))

    def suppressed(self, identity: str) -> bool:
        pk = self._suppression_pk(identity, make=False)
        return pk is not None and self._get(pk, "SUPPRESSED") is not None

    def unsuppress(self, identity: str) -> bool:
        """The person asked to hear from the brand again (people opt-in); False when there was
        no entry."""
        pk = self._suppression_pk(identity, make=False)
        if pk is None:
            return False
        answer = clients.dynamodb().delete_item(TableName=self.table, Key=key(pk, "SUPPRESSED"), ReturnValues="ALL_OLD")
        return "Attributes" in answer

    def record_erasure(self, erasure_id: str, at: str, by: str, counts: dict[str, int]) -> None:
        """That an erasure happened, when and by whom, with counts: never whom it erased."""
        item = {"pk": f"ERASURE#{erasure_id}", "sk": "ERASURE", "at": at, "by": by, **counts}
        clients.dynamodb().put_item(TableName=self.table, Item=to_dynamodb(item))

    # --- the judge's labelled examples (goodword judgement, review) -------------------------

    def put_example(self, example: Example) -> None:
        """Keep a labelled example (replacing the event's earlier one)."""
        item = {
            "pk": f"EXAMPLE#{example.event_id}",
            "sk": EXAMPLE_SK,
            "gsi1pk": EXAMPLES_INDEX,
            "gsi1sk": f"{example.at.isoformat()}#{example.event_id}",
            **example.model_dump(mode="json"),
        }
        clients.dynamodb().put_item(TableName=self.table, Item=to_dynamodb(item))

    def examples(self) -> list[Example]:
        found = items(
            "query",
            TableName=self.table,
            IndexName="ByState",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues=to_dynamodb({":pk": EXAMPLES_INDEX}),
        )
        return [Example.model_validate({k: item[k] for k in Example.model_fields if k in item}) for item in found]

    def delete_example(self, event_id: str) -> None:
        """Forget the labelled example of an event (erasure): its text is the person's."""
        clients.dynamodb().delete_item(TableName=self.table, Key=key(f"EXAMPLE#{event_id}", EXAMPLE_SK))

    # --- claims --------------------------------------------------------------------------

    def claim(self, claims: Sequence[Claim]) -> ClaimResult:
        if not claims:  # a rule with no limits and nothing to record (tags only): nothing to claim
            return ClaimResult(ok=True)
        writes: list[Any] = [self._write(c) for c in claims]
        try:
            clients.dynamodb().transact_write_items(TransactItems=writes)
            return ClaimResult(ok=True)
        except ClientError as exc:
            codes = cancellation_codes(exc)
            if not codes or "ConditionalCheckFailed" not in codes:
                raise  # a conflict or throttling: the stream retries
            padded = codes + ["None"] * (len(claims) - len(codes))
            return result_of(list(claims), [code == "ConditionalCheckFailed" for code in padded[: len(claims)]])

    def _write(self, claim: Claim) -> dict[str, Any]:
        if isinstance(claim, RecordWork):
            item = work_item(claim.record)
            return {
                "Put": {"TableName": self.table, "Item": to_dynamodb(item), "ConditionExpression": "attribute_not_exists(pk)"}
            }
        if isinstance(claim, OncePerPerson):
            marker: dict[str, Any] = {"pk": claim.person, "sk": f"RULE#{claim.rule_id}", "at": claim.now.isoformat()}
            put: dict[str, Any] = {"TableName": self.table, "ConditionExpression": "attribute_not_exists(pk)"}
            if claim.expires_at is not None:
                marker["expires_at"] = claim.expires_at
                put["ConditionExpression"] += " OR expires_at < :now"  # TTL deletes lazily: the condition decides
                put["ExpressionAttributeValues"] = to_dynamodb({":now": int(claim.now.timestamp())})
            return {"Put": {**put, "Item": to_dynamodb(marker)}}
        if isinstance(claim, Cooldown):
            item = {"pk": claim.person, "sk": "COOLDOWN", "until": claim.until, "expires_at": claim.until}
            condition = {
                "TableName": self.table,
                "ConditionExpression": "attribute_not_exists(pk) OR #u <= :now",
                "ExpressionAttributeNames": {"#u": "until"},
                "ExpressionAttributeValues": to_dynamodb({":now": int(claim.now.timestamp())}),
            }
            if not claim.charge:
                return {"ConditionCheck": {**condition, "Key": key(claim.person, "COOLDOWN")}}
            return {"Put": {**condition, "Item": to_dynamodb(item)}}
        if isinstance(claim, Cap):
            return {
                "Update": {
                    "TableName": self.table,
                    "Key": key(f"CAP#{claim.rule_id}", claim.period),
                    "UpdateExpression": "ADD #n :one",
                    "ConditionExpression": "attribute_not_exists(#n) OR #n < :cap",
                    "ExpressionAttributeNames": {"#n": "count"},
                    "ExpressionAttributeValues": to_dynamodb({":one": 1, ":cap": claim.cap}),
                }
            }
        assert isinstance(claim, Contact)  # noqa: S101 (the last kind of claim)
        expression = "SET last_contact_at = :t" + (" ADD offers_received :one" if claim.offer else "")
        values: dict[str, Any] = {":t": claim.now.isoformat(), **({":one": 1} if claim.offer else {})}
        return {
            "Update": {
                "TableName": self.table,
                "Key": key(claim.person, PROFILE_SK),
                "UpdateExpression": expression,
                "ExpressionAttributeValues": to_dynamodb(values),
            }
        }

    # --- work records ----------------------------------------------------------------------

    def get_work(self, work_key: str) -> WorkRecord | None:
        item = self._get(work_key, WORK_SK)
        return work_from_item(item) if item else None

    def offer_for_code(self, code: str) -> WorkRecord | None:
        """The offer whose claim code this is: found through the ByClaimCode index, read again
        by key, and its code compared in constant time."""
        if not code or len(code) > CLAIM_CODE_LOOKED_UP:
            return None
        found = clients.dynamodb().query(
            TableName=self.table,
            IndexName="ByClaimCode",
            KeyConditionExpression="claim_code = :c",
            ExpressionAttributeValues=to_dynamodb({":c": code}),
            Limit=2,
        )
        for entry in found.get("Items", []):
            pk = str(from_dynamodb(entry)["pk"])
            item = self._get(pk, WORK_SK) if pk.startswith("OFFER#") else None
            stored = str(item.get("claim_code") or "") if item else ""
            if item is not None and hmac.compare_digest(stored.encode(), code.encode()):
                return work_from_item(item)
        return None

    def find_work(self, identifier: str) -> WorkRecord | None:
        """An offer or action by its id."""
        found = self.work_for_keys(work_key(kind, identifier) for kind in (WorkKind.OFFER_SAMPLE, WorkKind.REPLY))
        return found[0] if found else None

    def work_with_prefix(self, prefix: str) -> list[WorkRecord]:
        """Offers and actions whose id starts with ``prefix`` (a scan: actions are in no
        index; for a person typing a short id, never for the pipeline)."""
        found = scan(
            self.table,
            FilterExpression="sk = :work AND (begins_with(pk, :offer) OR begins_with(pk, :action))",
            ExpressionAttributeValues=to_dynamodb(
                {":work": WORK_SK, ":offer": work_key(WorkKind.OFFER_SAMPLE, prefix), ":action": work_key(WorkKind.REPLY, prefix)}
            ),
            ConsistentRead=True,
        )
        return [work_from_item(item) for item in found]

    def work_for_keys(self, keys: Iterable[str]) -> list[WorkRecord]:
        return [work_from_item(item) for item in batch_get(self.table, ((k, WORK_SK) for k in keys)).values()]

    def list_work(
        self, states: Iterable[WorkState] | None = None, since: datetime | None = None, kind: WorkKind = WorkKind.OFFER_SAMPLE
    ) -> list[WorkRecord]:
        result: list[WorkRecord] = []
        for state in states or WorkState:
            condition, values = "gsi1pk = :state", {":state": review_index_key(kind, state)}
            if since is not None:
                condition += " AND gsi1sk >= :since"
                values[":since"] = since.astimezone(UTC).isoformat()
            result.extend(
                WorkRecord.model_validate(item)
                for item in items(
                    "query",
                    TableName=self.table,
                    IndexName="ByState",
                    KeyConditionExpression=condition,
                    ExpressionAttributeValues=to_dynamodb(values),
                )
            )
        return sorted(result, key=lambda r: r.created_at, reverse=True)

    def mark_queued(self, record: WorkRecord, now: datetime) -> None:
        self._update(record, {"queued_at": now.isoformat()})

    def decide(
        self,
        record: WorkRecord,
        to: WorkState,
        reviewer: str,
        reason: str | None,
        now: datetime,
        *,
        rejected_as: RejectReason | None = None,
        message: str | None = None,
        contact: Sequence[Contact | Cooldown] = (),
    ) -> bool:
        check_transition(WorkState.PENDING_REVIEW, to)
        fields: dict[str, Any] = {"state": to.value, "reviewed_by": reviewer, "reviewed_at": now.isoformat()}
        if reason:
            fields["reason"] = reason
        if rejected_as is not None:
            fields["rejected_as"] = rejected_as.value
        if message is not None:
            fields["message"] = message
        request = self._move_request(record, fields, "#s = :from", {":from": WorkState.PENDING_REVIEW.value})
        if not contact:
            return conditional("update_item", **request)
        # the approval and the contact it makes are one step: no approved offer goes uncounted
        writes: list[Any] = [{"Update": {**request, "TableName": self.table}}, *(self._charge(c) for c in contact)]
        try:
            clients.dynamodb().transact_write_items(TransactItems=writes)
            return True
        except ClientError as exc:
            if cancellation_codes(exc)[:1] == ["ConditionalCheckFailed"]:
                return False  # no longer pending
            raise

    def _charge(self, claim: Contact | Cooldown) -> dict[str, Any]:
        """A contact a person approved: counted whatever the cooldown says (they decided)."""
        if isinstance(claim, Contact):
            return self._write(claim)
        item = {"pk": claim.person, "sk": "COOLDOWN", "until": claim.until, "expires_at": claim.until}
        return {"Put": {"TableName": self.table, "Item": to_dynamodb(item)}}

    def start_sending(self, record: WorkRecord, attempt: str, now: datetime) -> bool:
        # Or this very attempt already holds it: botocore retried a claim that had landed.
        return self._move(
            record,
            {"state": WorkState.SENDING.value, "attempt_id": attempt, "attempt_started_at": now.isoformat()},
            "#s = :from OR (#s = :sending AND attempt_id = :attempt)",
            {":from": WorkState.APPROVED.value, ":sending": WorkState.SENDING.value, ":attempt": attempt},
        )

    def finish(self, record: WorkRecord, attempt: str, to: WorkState, now: datetime, **fields: Any) -> bool:
        check_transition(WorkState.SENDING, to)
        values = {"state": to.value, "finished_at": now.isoformat(), **fields}
        return self._move(record, values, "attempt_id = :attempt", {":attempt": attempt})

    def release(self, record: WorkRecord, attempt: str) -> bool:
        return self._move(
            record,
            {"state": WorkState.APPROVED.value},
            "attempt_id = :attempt",
            {":attempt": attempt},
            remove=("attempt_id", "attempt_started_at"),
        )

    def mark_announced(self, record: WorkRecord, now: datetime) -> None:
        self._update(record, {"announced_at": now.isoformat()})

    def _update(self, record: WorkRecord, fields: dict[str, Any]) -> None:
        self._move(record, fields, None, {})

    def _move(
        self,
        record: WorkRecord,
        fields: dict[str, Any],
        condition: str | None,
        condition_values: dict[str, Any],
        remove: tuple[str, ...] = (),
    ) -> bool:
        """Set ``fields`` on the record (and its index key when the state changes), if the
        condition holds; False when it did not."""
        return conditional("update_item", **self._move_request(record, fields, condition, condition_values, remove))

    def _move_request(
        self,
        record: WorkRecord,
        fields: dict[str, Any],
        condition: str | None,
        condition_values: dict[str, Any],
        remove: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        if "state" in fields and record.kind in REVIEWED:  # the ByState index lists offers and flags by state
            fields = {**fields, "gsi1pk": review_index_key(record.kind, WorkState(fields["state"]))}
        names = {f"#{i}": name for i, name in enumerate(fields)}
        request: dict[str, Any] = {
            "TableName": self.table,
            "Key": key(record.key, WORK_SK),
            "UpdateExpression": "SET "
            + ", ".join(f"#{i} = :{i}" for i in range(len(fields)))
            + (" REMOVE " + ", ".join(remove) if remove else ""),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_dynamodb({**{f":{i}": v for i, v in enumerate(fields.values())}, **condition_values}),
        }
        if condition is not None:
            request["ConditionExpression"] = condition
            if "#s" in condition:
                names["#s"] = "state"
        return request

    # --- send limits -----------------------------------------------------------------------

    def mark_once(self, mark: str, owner: str) -> bool:
        return conditional(
            "update_item",
            TableName=self.table,
            Key=key(mark, "MARK"),
            UpdateExpression="SET #o = :o",
            ConditionExpression="attribute_not_exists(pk) OR #o = :o",
            ExpressionAttributeNames={"#o": "owner"},
            ExpressionAttributeValues=to_dynamodb({":o": owner}),
        )

    def unmark(self, mark: str, owner: str) -> bool:
        """Take back a once-ever mark this owner holds (what it marked was surely not done:
        a Slack notice that never reached Slack), so a retry may take it."""
        return conditional(
            "delete_item",
            TableName=self.table,
            Key=key(mark, "MARK"),
            ConditionExpression="#o = :o",
            ExpressionAttributeNames={"#o": "owner"},
            ExpressionAttributeValues=to_dynamodb({":o": owner}),
        )

    # --- enrichment cache -----------------------------------------------------------------

    def cached(self, fetch_key: str, now: datetime) -> bytes | None:
        item = self._get(fetch_key, FETCH_SK)
        if item is None or int(item.get("expires_at", 0)) <= now.timestamp():
            return None  # TTL deletes late: an expired answer is not an answer
        return str(item["body"]).encode()

    def remember(self, fetch_key: str, body: bytes, expires_at: int) -> None:
        clients.dynamodb().put_item(
            TableName=self.table,
            Item=to_dynamodb({"pk": fetch_key, "sk": FETCH_SK, "body": body.decode(errors="replace"), "expires_at": expires_at}),
        )

    def count_rate(self, counter: str, limit: int, expires_at: int) -> bool:
        return conditional(
            "update_item",
            TableName=self.table,
            Key=key(f"RATE#{counter}", "RATE"),
            UpdateExpression="ADD #n :one SET expires_at = :e",
            ConditionExpression="attribute_not_exists(#n) OR #n < :limit",
            ExpressionAttributeNames={"#n": "count"},
            ExpressionAttributeValues=to_dynamodb({":one": 1, ":limit": limit, ":e": expires_at}),
        )

    # --- claim expiry (goodword.claims.expiry; issue 23) ------------------------------------

    def unclaimed_offers(self, made_by: datetime) -> Iterator[WorkRecord]:
        """Sent offers nobody has claimed, made at or before ``made_by``: the ByState index's
        sent offers (one query, page after page), those with a claim filtered out."""
        found = items(
            "query",
            TableName=self.table,
            IndexName="ByState",
            KeyConditionExpression="gsi1pk = :sent AND gsi1sk <= :by",
            FilterExpression="attribute_not_exists(claim_state) OR claim_state = :offered",
            ExpressionAttributeValues=to_dynamodb(
                {
                    ":sent": offers_index_key(WorkState.SENT),
                    ":by": made_by.astimezone(UTC).isoformat() + "#~",  # gsi1sk is <created_at>#<id>
                    ":offered": ClaimState.OFFERED.value,
                }
            ),
        )
        return (work_from_item(item) for item in found)

    def expire_offer(self, offer: WorkRecord, now: datetime) -> bool:
        """offered -> expired, if the offer is sent and still unclaimed: the condition is the
        claim's own (ClaimStore.create), so a claim and an expiry at the same moment never both
        land."""
        check_claim_transition(ClaimState.OFFERED, ClaimState.EXPIRED)
        return conditional(
            "update_item",
            TableName=self.table,
            Key=key(offer.key, WORK_SK),
            UpdateExpression="SET claim_state = :expired",
            ConditionExpression="#s = :sent AND (attribute_not_exists(claim_state) OR claim_state = :offered)",
            ExpressionAttributeNames={"#s": "state"},
            ExpressionAttributeValues=to_dynamodb(
                {":expired": ClaimState.EXPIRED.value, ":sent": WorkState.SENT.value, ":offered": ClaimState.OFFERED.value}
            ),
        )
