"""Complaints, reports and petitions (投诉、举报、信访, R-CO-1 … R-CO-3): registered with their
channel and what they concern, routed to the township or the county (R-CO-2), accepted,
investigated (appended notes), concluded, answered on time and, when the county handled them,
filed with the city."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.complaints.db import Base
from shared.db import UTCDateTime


class Kind(StrEnum):
    complaint = "complaint"  # 投诉
    report = "report"  # 举报
    petition = "petition"  # 信访


class Channel(StrEnum):
    hotline = "hotline"  # 热线
    letter = "letter"  # 来信
    visit = "visit"  # 来访
    online = "online"  # 网上
    media = "media"  # 媒体
    inspection = "inspection"  # 巡视巡察转办
    audit = "audit"  # 审计转办
    discipline = "discipline"  # 纪检监察转办


class Concerns(StrEnum):
    case = "case"  # a case of any service (its case reference)
    household = "household"  # a household
    staff = "staff"  # an assistance staff member (涉及工作人员)
    township_fairness = "township_fairness"  # 本级处理影响公平公正


class Category(StrEnum):
    """The kind of problem, for similar cases (R-CO-4) and the figures."""

    eligibility = "eligibility"  # 错保、漏保
    benefit_amount = "benefit_amount"  # 救助金额
    favouritism = "favouritism"  # 优亲厚友、人情保、关系保
    payment = "payment"  # 资金发放、截留挪用
    procedure = "procedure"  # 程序、时限
    conduct = "conduct"  # 工作作风、态度
    other = "other"


class Level(StrEnum):
    township = "township"  # 乡镇人民政府(街道办事处)
    county = "county"  # 县(市)区民政部门


class Status(StrEnum):
    registered = "registered"  # 登记
    accepted = "accepted"  # 受理, being investigated
    concluded = "concluded"  # 办结


class Complaint(Base):
    """One complaint, report or petition. The contact's phone is kept sealed and shown masked
    (R-SE-2); the public's check code only as a keyed digest."""

    __tablename__ = "complaint"
    __table_args__ = (
        Index("ix_complaint_registered_id", "registered_at", "id"),  # the list
        Index("ix_complaint_status_handling_due", "status", "handling_due_on"),
        Index("ix_complaint_answer_due", "answered_on", "answer_due_on"),
        Index("ix_complaint_public_source", "source_address", "registered_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    concerns: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(30))
    program: Mapped[str | None] = mapped_column(String(30))
    division: Mapped[str] = mapped_column(String(12), index=True)  # the division concerned
    household: Mapped[str | None] = mapped_column(String(100))  # the household concerned
    staff_member: Mapped[str | None] = mapped_column(String(100))  # the staff member concerned
    case_reference_id: Mapped[str | None] = mapped_column(String(32), index=True)
    case_service: Mapped[str | None] = mapped_column(String(40))
    case_record_id: Mapped[str | None] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10))
    handled_by: Mapped[str] = mapped_column(String(12), index=True)
    routing_reason: Mapped[str] = mapped_column(String(300))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone_sealed: Mapped[str | None] = mapped_column(Text)
    contact_phone_masked: Mapped[str | None] = mapped_column(String(20))
    answer_wanted: Mapped[bool] = mapped_column(Boolean)
    hotline_call_id: Mapped[str | None] = mapped_column(String(32))
    filed_by_public: Mapped[bool] = mapped_column(Boolean)
    source_address: Mapped[str | None] = mapped_column(String(64))  # the public form's caller
    check_code_digest: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    registered_by: Mapped[str] = mapped_column(String(255))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    registered_on: Mapped[date] = mapped_column(Date)  # Asia/Shanghai
    handling_due_on: Mapped[date] = mapped_column(Date)
    answer_due_on: Mapped[date | None] = mapped_column(Date)
    accepted_by: Mapped[str | None] = mapped_column(String(255))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note_count: Mapped[int] = mapped_column(Integer)
    substantiated: Mapped[bool | None] = mapped_column(Boolean)
    finding: Mapped[str | None] = mapped_column(Text)
    handling: Mapped[str | None] = mapped_column(Text)
    concluded_by: Mapped[str | None] = mapped_column(String(255))
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    concluded_on: Mapped[date | None] = mapped_column(Date)
    rectification_item_id: Mapped[str | None] = mapped_column(String(32))
    result_filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # with the city
    answer_text: Mapped[str | None] = mapped_column(Text)
    answer_method: Mapped[str | None] = mapped_column(String(20))
    answered_by: Mapped[str | None] = mapped_column(String(255))
    answered_on: Mapped[date | None] = mapped_column(Date)
    handling_overdue_noted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer_overdue_noted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ComplaintNote(Base):
    """A note of the investigation (调查核实), appended in order, never rewritten."""

    __tablename__ = "complaint_note"
    __table_args__ = (UniqueConstraint("complaint_id", "seq"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    complaint_id: Mapped[str] = mapped_column(ForeignKey("complaint.id"))
    seq: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ComplaintRouting(Base):
    """Who handles the complaint, from its registration on (R-CO-2): the first routing and
    every re-routing by the county, in order."""

    __tablename__ = "complaint_routing"
    __table_args__ = (UniqueConstraint("complaint_id", "seq"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    complaint_id: Mapped[str] = mapped_column(ForeignKey("complaint.id"))
    seq: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(10))
    handled_by: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class TrackingSequence(Base):
    """The last tracking number given per county and year (gapless in commit order)."""

    __tablename__ = "complaint_tracking_sequence"

    county: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)
