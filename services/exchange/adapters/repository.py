"""exchange's SQL: departments and clients."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.exchange.adapters.orm import Client, Department, RosterUpload


class DepartmentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, code: str) -> Department | None:
        return self.session.get(Department, code)

    def by_uscc(self, uscc: str) -> Department | None:
        return self.session.scalars(select(Department).where(Department.uscc == uscc)).first()

    def add(self, department: Department) -> None:
        self.session.add(department)
        self.session.flush()

    def all(self) -> list[Department]:
        return list(self.session.scalars(select(Department).order_by(Department.code)))


class ClientRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, client_id: str) -> Client | None:
        return self.session.get(Client, client_id)

    def add(self, client: Client) -> None:
        self.session.add(client)
        self.session.flush()

    def of_department(self, code: str) -> list[Client]:
        stmt = select(Client).where(Client.department_code == code).order_by(Client.created_at)
        return list(self.session.scalars(stmt))


class UploadRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, upload_id: str) -> RosterUpload | None:
        return self.session.get(RosterUpload, upload_id)

    def add(self, upload: RosterUpload) -> None:
        self.session.add(upload)
        self.session.flush()
