"""Community digital teams: records synced idempotently, the deduplicated register, targets with late
joiners, who sees what, member import."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import Role
from motcua.core.errors import ValidationFailed
from motcua.outreach.models import AssistanceRecord, Campaign, Member, Person, Team, TeamRole
from motcua.outreach.selectors import member_progress, records_visible_to
from motcua.outreach.services import members_import, person_review, records_sync

from .conftest import documents_for, make_unit

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def team(commune_a, village_a):
    make_unit("02839-02", "Thôn Bản Phố", "village", commune_a)
    return Team.objects.create(unit=commune_a, name="Tổ công nghệ số xã Bắc Hà")


@pytest.fixture
def member(team, make_officer, commune_a):
    user = make_officer("tonhom", Role.TEAM_MEMBER, commune_a)
    return Member.objects.create(
        team=team, user=user, full_name="Lù Văn Páo", phone="0912000114", active_from=dt.date(2026, 1, 1)
    )


def rec(client_id, name, *, day="2026-11-20", village="02839-01", **extra):
    return {
        "client_id": client_id,
        "full_name": name,
        "village": village,
        "skills": ["vneid_level2"],
        "date": day,
        **extra,
    }


def test_a_retried_sync_never_duplicates(member):
    batch = [rec("c-000001", "Sùng A Páo"), rec("c-000002", "Vàng Thị Mai"), rec("c-000003", "Lò Văn Hải")]
    first = records_sync(member=member, items=batch)
    assert [r["status"] for r in first] == ["created"] * 3
    again = records_sync(member=member, items=batch)
    assert [r["status"] for r in again] == ["duplicate"] * 3
    assert AssistanceRecord.objects.count() == 3 and Person.objects.count() == 3


def test_rejected_records_come_back_with_reasons(member):
    results = records_sync(
        member=member,
        items=[
            rec("c-000010", ""),
            rec("c-000011", "Giàng A Chớ", citizen_id="010085067890"),  # no consent
            {
                "client_id": "c-000012",
                "full_name": "A B",
                "village": "02839-01",
                "skills": ["bay"],
                "date": "2026-11-20",
            },
            rec("c-000013", "Thào Mí", day="2030-01-01"),
        ],
    )
    assert [r["status"] for r in results] == ["rejected"] * 4
    assert "full_name" in results[0]["errors"] and "consent" in results[1]["errors"]
    assert "skills" in results[2]["errors"] and "date" in results[3]["errors"]
    assert AssistanceRecord.objects.count() == 0


def test_unknown_village_is_kept_as_text_and_flagged(member):
    [result] = records_sync(member=member, items=[rec("c-000020", "Hầu A Lử", village="Thôn Sín Chải mới")])
    record = AssistanceRecord.objects.get()
    assert result["status"] == "created" and result["village_flagged"] and record.village_text == "Thôn Sín Chải mới"


def test_register_deduplicates_across_members(member, team):
    other = Member.objects.create(
        team=team, full_name="Nguyễn Thị Hoa", phone="0912000222", active_from=dt.date(2026, 1, 1)
    )
    records_sync(member=member, items=[rec("m1-00001", "Sùng A Páo", citizen_id="010090012345", consent=True)])
    records_sync(
        member=other,
        items=[rec("m2-00001", "Sùng A Pao", citizen_id="010090012345", consent=True, skills=["dvc_account"])],
    )
    records_sync(member=member, items=[rec("m1-00002", "Vàng Thị Mai", phone="0988111222", consent=True)])
    records_sync(member=other, items=[rec("m2-00002", "Vàng Thị Mai", phone="+84 988 111 222", consent=True)])
    assert Person.objects.count() == 2
    pao = Person.objects.get(citizen_id="010090012345")
    assert pao.skills == ["dvc_account", "vneid_level2"] and pao.records.count() == 2


def test_same_name_and_village_goes_to_the_review_queue(member, team):
    records_sync(member=member, items=[rec("r-000001", "Lò Thị Dung")])
    records_sync(member=member, items=[rec("r-000002", "Lò Thị Dung", skills=["bank_account"])])
    pending = Person.objects.get(review_pending=True)
    assert pending.possible_duplicate_of is not None
    kept = person_review(person_id=pending.pk, same=True)
    assert set(kept.skills) == {"vneid_level2", "bank_account"}
    assert Person.objects.filter(merged_into__isnull=True).count() == 1


def test_digital_citizen_when_all_configured_skills_are_met(member):
    skills = ["vneid_level2", "dvc_account", "ehealth_book", "bank_account"]
    records_sync(
        member=member, items=[rec("d-000001", "Hờ Thị Say", citizen_id="010190012345", consent=True, skills=skills)]
    )
    person = Person.objects.get()
    assert not person.is_digital_citizen
    records_sync(
        member=member,
        items=[rec("d-000002", "Hờ Thị Say", citizen_id="010190012345", consent=True, skills=["cashless_wallet"])],
    )
    person.refresh_from_db()
    assert person.is_digital_citizen


def test_online_dossier_on_the_platform_gives_the_skill(member, catalog, citizen, office_a):
    from motcua.dossiers.services import dossier_submit

    from .conftest import BIRTH_FORM

    records_sync(member=member, items=[rec("p-000001", "Lò Thị Mai", citizen_id="010190012345", consent=True)])
    dossier_submit(citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen))
    person = Person.objects.get(citizen_id="010190012345")
    assert "online_dossier" in person.skills and person.user == citizen


def test_seven_people_in_seven_days_with_a_member_who_joined_late(member, team, commune_a):
    campaign = Campaign.objects.create(name="7 ngày", starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 12, 31))
    campaign.units.add(commune_a)
    early = [rec(f"e-{i:06d}", f"Người {chr(65 + i)}", day=f"2026-11-0{1 + i % 7}") for i in range(7)]
    records_sync(member=member, items=early)
    # Day 8 does not count for the launch window.
    records_sync(member=member, items=[rec("e-000099", "Người muộn", day="2026-11-08")])
    on_time = member_progress(member=member, campaign=campaign)
    assert (on_time.window_start, on_time.window_end, on_time.done, on_time.met) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 7),
        7,
        True,
    )
    late = Member.objects.create(
        team=team, full_name="Giàng Thị Hoa", phone="0912000333", active_from=dt.date(2026, 11, 15)
    )
    records_sync(member=late, items=[rec(f"l-{i:06d}", f"Dân {chr(65 + i)}", day="2026-11-16") for i in range(5)])
    progress = member_progress(member=late, campaign=campaign)
    assert progress.window_start == dt.date(2026, 11, 15) and progress.window_end == dt.date(2026, 11, 21)
    assert progress.done == 5 and not progress.met


def test_leaders_see_their_area_members_see_their_own(member, team, commune_b, make_officer, django_user_model):
    other = Member.objects.create(
        team=team,
        full_name="Nguyễn Thị Hoa",
        phone="0912000222",
        active_from=dt.date(2026, 1, 1),
        user=django_user_model.objects.create_user("hoa", password="x-12345678"),
    )
    records_sync(member=member, items=[rec("s-000001", "Sùng A Páo")])
    records_sync(member=other, items=[rec("s-000002", "Vàng Thị Mai")])
    assert [r.full_name for r in records_visible_to(user=other.user)] == ["Vàng Thị Mai"]
    member.team_role = TeamRole.LEADER
    member.save()
    assert {r.full_name for r in records_visible_to(user=member.user)} == {"Sùng A Páo", "Vàng Thị Mai"}
    elsewhere = Team.objects.create(unit=commune_b, name="Tổ xã Tả Van")
    leader_b = Member.objects.create(
        team=elsewhere,
        full_name="Vàng A Chu",
        phone="0912000444",
        team_role=TeamRole.LEADER,
        active_from=dt.date(2026, 1, 1),
        user=django_user_model.objects.create_user("chu", password="x-12345678"),
    )
    assert list(records_visible_to(user=leader_b.user)) == []


def test_malformed_spreadsheet_imports_nothing_and_reports_every_bad_row(team):
    csv = (
        "Họ tên,Điện thoại,Vai trò,Đơn vị,Tham gia từ\n"
        "Lù Văn Páo,0912000114,Tổ trưởng,Cán bộ,01/09/2026\n"
        ",0912000115,Thành viên,Đoàn Thanh niên,01/09/2026\n"
        "Nguyễn Hoa,12345,Thành viên,Giáo viên,01/09/2026\n"
        "Vàng Chu,0912000114,Phó tổ,Hội,31/02/2026\n"
    ).encode()
    with pytest.raises(ValidationFailed) as exc:
        members_import(team=team, filename="thanh-vien.csv", data=csv)
    rows = exc.value.fields["rows"]
    assert [r.split(":")[0] for r in rows] == ["Dòng 3", "Dòng 4", "Dòng 5"]
    assert "họ tên" in rows[0] and "số điện thoại" in rows[1] and "trùng với dòng 2" in rows[2] and "vai trò" in rows[2]
    assert Member.objects.count() == 0


def test_xlsx_import(team):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Họ tên", "Điện thoại", "Vai trò", "Đơn vị", "Tham gia từ"])
    book.active.append(["Lù Văn Páo", "0912 000 114", "Tổ trưởng", "Công an", dt.datetime(2026, 9, 1)])
    book.active.append(["Hầu Thị Mỷ", "0912000115", "Thành viên", "Doanh nghiệp", "02/09/2026"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = members_import(team=team, filename="tv.xlsx", data=buffer.getvalue())
    assert report.created == 2
    assert Member.objects.get(phone="0912000114").team_role == TeamRole.LEADER


def test_api_sync_and_list(client, member, api_token):
    token = api_token(member.user)
    body = {"records": [rec("a-000001", "Sùng A Páo"), rec("a-000002", "")]}
    response = client.post(
        "/api/v1/outreach/records", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    data = response.json()
    assert response.status_code == 200 and data["created"] == 1 and data["rejected"] == 1
    again = client.post(
        "/api/v1/outreach/records", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).json()
    assert again["duplicate"] == 1 and again["created"] == 0
    listing = client.get("/api/v1/outreach/records", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert listing["count"] == 1 and listing["results"][0]["client_id"] == "a-000001"


def test_progress_page_and_masked_exports(client, member, team, commune_a):
    campaign = Campaign.objects.create(name="7 ngày", starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 12, 31))
    campaign.units.add(commune_a)
    records_sync(
        member=member,
        items=[rec("x-000001", "Sùng A Páo", citizen_id="010090012345", phone="0988111222", consent=True)],
    )
    member.team_role = TeamRole.LEADER
    member.save()
    client.force_login(member.user)
    page = client.get(f"/to-cong-nghe/to/{team.pk}").content.decode()
    assert "<svg" in page and "Lù Văn Páo" in page and "Thôn Bản Phố" in page  # a village not visited yet
    export = client.get(f"/to-cong-nghe/to/{team.pk}/xuat").content.decode("utf-8-sig")
    assert "010******345" in export and "010090012345" not in export and "0988111222" not in export
    xlsx = client.get(f"/to-cong-nghe/to/{team.pk}/xuat?dang=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_import_page(client, member, team):
    member.team_role = TeamRole.LEADER
    member.save()
    client.force_login(member.user)
    bad = client.post(
        f"/to-cong-nghe/to/{team.pk}/nhap-thanh-vien",
        {"tep": SimpleUploadedFile("a.csv", b"ho ten,dien thoai\n,123\n")},
    )
    assert bad.status_code == 422 and "Dòng 2" in bad.content.decode()


def test_campaign_progress_across_teams(client, member, team, commune_a):
    campaign = Campaign.objects.create(
        name="1.000 công dân số",
        starts_on=dt.date(2026, 11, 1),
        ends_on=dt.date(2026, 12, 31),
        unit_target_digital_citizens=1000,
    )
    campaign.units.add(commune_a.parent)
    skills = ["vneid_level2", "dvc_account", "ehealth_book", "bank_account", "cashless_wallet"]
    records_sync(
        member=member, items=[rec("k-000001", "Hờ Thị Say", citizen_id="010190012345", consent=True, skills=skills)]
    )
    member.team_role = TeamRole.LEADER
    member.save()
    client.force_login(member.user)
    page = client.get(f"/to-cong-nghe/chien-dich/{campaign.pk}").content.decode()
    assert "1 / 1000 (0%)" in page and team.name in page


def test_member_home_shows_own_progress_and_campaigns(client, member, commune_a):
    campaign = Campaign.objects.create(name="7 ngày", starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2027, 1, 31))
    campaign.units.add(commune_a)
    records_sync(member=member, items=[rec("h-000001", "Sùng A Páo", day="2026-11-01")])
    client.force_login(member.user)
    page = client.get("/to-cong-nghe/").content.decode()
    assert "Đã hướng dẫn 1/7 người" in page and "Sùng A Páo" in page


def test_review_queue_is_limited_to_leaders_of_the_area(client, member, team, commune_b, django_user_model):
    records_sync(member=member, items=[rec("q-000001", "Lò Thị Dung", village="Bản Mới")])
    records_sync(member=member, items=[rec("q-000002", "Lò Thị Dung", village="Bản Mới")])
    pending = Person.objects.get(review_pending=True)
    elsewhere = Team.objects.create(unit=commune_b, name="Tổ xã Tả Van")
    chu = django_user_model.objects.create_user("chu", password="x-12345678")
    other_leader = Member.objects.create(
        team=elsewhere,
        full_name="Vàng A Chu",
        phone="0912000444",
        team_role=TeamRole.LEADER,
        active_from=dt.date(2026, 1, 1),
        user=chu,
    )
    client.force_login(other_leader.user)
    assert "Lò Thị Dung" not in client.get("/to-cong-nghe/ra-soat").content.decode()
    assert client.post("/to-cong-nghe/ra-soat", {"person": pending.pk, "same": "1"}).status_code == 404
    client.force_login(member.user)
    assert client.get("/to-cong-nghe/ra-soat").status_code == 404  # a plain member does not review
    member.team_role = TeamRole.LEADER
    member.save()
    assert "Lò Thị Dung" in client.get("/to-cong-nghe/ra-soat").content.decode()
    client.post("/to-cong-nghe/ra-soat", {"person": pending.pk, "same": "1"})
    assert not Person.objects.filter(review_pending=True).exists()
