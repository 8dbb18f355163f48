"""Asset events over the store: what a try's outlets and ``POST /assets/events`` record and
queue for the consumers, what a task reads back, and how the API/UI/CLI describe an asset.
The conditions themselves are pure (:mod:`brisa.timetables.asset_conditions`); turning the
queue into runs is the scheduler's (:mod:`brisa.scheduler.assets`), materializing an asset a
service's (:mod:`brisa.services.assets`)."""
