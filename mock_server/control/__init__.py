"""The mock's own machinery, everything under /__admin and what it drives.

faults and stubs (rules, the pipeline's hooks), scenarios, the journal and its matching, state export
and import (snapshot), watch and describe, the OpenAPI document; views/ is the control API (one parent
blueprint, one route table) and schemas/ its wire contract. Kustomer's own rules stay in domain/.
"""
