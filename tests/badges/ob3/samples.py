"""Hand-built Open Badges 3.0 credentials for the proof tests (the real builder lives elsewhere)."""

from __future__ import annotations

import copy
from typing import Any

OB_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ISSUER_ID = "https://jalon.example/issuers/42"


def ob_credential(
    *,
    name: str = "Utiliser un tableur",
    narrative: str = "A réalisé une feuille de calcul avec des formules et un graphique.",
    description: str = "Compétence numérique de niveau 3 : manipuler des données dans un tableur.",
    issuer_name: str = "Association Tremplin Numérique",
    credential_id: str = "urn:uuid:2f6b1c1e-3c1b-4bb3-9d0a-5b9a4d6e7f10",
    extra_subject: dict[str, Any] | None = None,
) -> dict:
    """A typical (~2.5 KB) OpenBadgeCredential with a hashed recipient, criteria and a result."""
    credential = {
        "@context": list(OB_CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "description": description,
        "issuer": {
            "id": ISSUER_ID,
            "type": ["Profile"],
            "name": issuer_name,
            "url": "https://tremplin.example",
            "email": "contact@tremplin.example",
        },
        "validFrom": "2026-03-01T09:30:00Z",
        "awardedDate": "2026-03-01T09:30:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "hashed": True,
                    "identityHash": (
                        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
                    ),
                    "identityType": "emailAddress",
                    "salt": "Kosher",
                }
            ],
            "achievement": {
                "id": "https://jalon.example/achievements/tableur-3",
                "type": ["Achievement"],
                "achievementType": "Competency",
                "name": name,
                "description": description,
                "criteria": {"narrative": narrative},
                "image": {
                    "id": "https://jalon.example/achievements/tableur-3/image.png",
                    "type": "Image",
                    "caption": "Badge tableur niveau 3",
                },
                "creditsAvailable": 2.5,
                "tag": ["numérique", "tableur", "niveau 3"],
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "Traiter des données",
                        "targetUrl": "https://pix.fr/competences/1.3",
                        "targetCode": "1.3",
                        "targetFramework": "Pix",
                        "targetType": "CFItem",
                    }
                ],
                "resultDescription": [
                    {
                        "id": "https://jalon.example/achievements/tableur-3/results/level",
                        "type": ["ResultDescription"],
                        "name": "Niveau atteint",
                        "resultType": "PerformanceLevel",
                        "allowedValue": ["1", "2", "3", "4", "5", "6", "7", "8"],
                    }
                ],
            },
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": (
                        "https://jalon.example/achievements/tableur-3/results/level"
                    ),
                    "value": "3",
                }
            ],
            "creditsEarned": 2.0,
            **(extra_subject or {}),
        },
        "evidence": [
            {
                "id": "https://jalon.example/evidence/8812",
                "type": ["Evidence"],
                "name": "Session d'évaluation adaptative",
                "narrative": "18 questions, durée 22 minutes, niveau estimé 3,4 (erreur type 0,3).",
            }
        ],
    }
    return copy.deepcopy(credential)
