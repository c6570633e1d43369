SELECT
  "t10"."institution_id",
  "t10"."contact_id"
FROM (
  SELECT
    "t5"."contact_id",
    "t5"."institution_id",
    "t5"."kind",
    "t5"."structure_type",
    "t5"."parent_contact_id",
    "t5"."title",
    "t5"."first_name",
    "t5"."last_name",
    "t5"."structure_name",
    "t5"."email",
    "t5"."phone",
    "t5"."birth_date",
    "t5"."street",
    "t5"."postal_code",
    "t5"."city",
    "t5"."country",
    "t5"."language",
    "t5"."created_at",
    "t5"."email_opt_in",
    "t5"."sms_opt_in",
    "t5"."post_opt_in",
    "t5"."attributes",
    "t6"."_ci_contact",
    "t6"."_ci_abonne_level",
    "t6"."_ci_assiduite_level",
    "t6"."_ci_pmg_level",
    "t9"."_j1_k",
    "t9"."_j1_v"
  FROM (
    SELECT
      *
    FROM "contacts" AS "t0"
    WHERE
      "t0"."institution_id" = 'INST'
  ) AS "t5"
  LEFT OUTER JOIN (
    SELECT
      "t1"."contact_id" AS "_ci_contact",
      "t1"."abonne_level" AS "_ci_abonne_level",
      "t1"."assiduite_level" AS "_ci_assiduite_level",
      "t1"."pmg_level" AS "_ci_pmg_level"
    FROM "contact_indicators" AS "t1"
    WHERE
      "t1"."organisation_id" = 'ORG'
  ) AS "t6"
    ON "t5"."contact_id" = "t6"."_ci_contact"
  LEFT OUTER JOIN (
    SELECT
      "t7"."holder_id" AS "_j1_k",
      COUNT("t7"."line_id") AS "_j1_v"
    FROM (
      SELECT
        *
      FROM "_ind_lines" AS "t2"
      WHERE
        "t2"."organisation_id" = 'ORG'
        AND "t2"."countable"
        AND COALESCE(
          (
            "t2"."order_date" > MAKE_DATE(2025, 1, 15)
          )
          AND (
            "t2"."order_date" <= MAKE_DATE(2026, 1, 15)
          ),
          FALSE
        )
        AND "t2"."holder_id" IS NOT NULL
    ) AS "t7"
    GROUP BY
      1
  ) AS "t9"
    ON "t5"."contact_id" = "t9"."_j1_k"
) AS "t10"
WHERE
  COALESCE("t10"."_ci_assiduite_level", 0) >= 2
  AND COALESCE("t10"."_ci_pmg_level", 0) IN (2, 3)
  AND COALESCE("t10"."email_opt_in", FALSE)
  AND "t10"."_j1_v" IS NOT NULL
  AND COALESCE(STARTS_WITH(LOWER("t10"."postal_code"), '75'), FALSE)
  AND (
    COALESCE("t10"."birth_date" > MAKE_DATE(1996, 1, 15), FALSE)
    OR (
      COALESCE("t10"."_ci_abonne_level", 0) = 1
    )
  )
