SELECT
  "t9"."institution_id",
  "t9"."contact_id"
FROM (
  SELECT
    *
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
      "t6"."_ci_pmg_level"
    FROM (
      SELECT
        *
      FROM "contacts" AS "t1"
      WHERE
        "t1"."institution_id" = 'INST'
    ) AS "t5"
    LEFT OUTER JOIN (
      SELECT
        "t2"."contact_id" AS "_ci_contact",
        "t2"."abonne_level" AS "_ci_abonne_level",
        "t2"."assiduite_level" AS "_ci_assiduite_level",
        "t2"."pmg_level" AS "_ci_pmg_level"
      FROM "contact_indicators" AS "t2"
      WHERE
        "t2"."organisation_id" = 'ORG'
    ) AS "t6"
      ON "t5"."contact_id" = "t6"."_ci_contact"
  ) AS "t8"
  WHERE
    COALESCE("t8"."_ci_assiduite_level", 0) >= 2
    AND COALESCE("t8"."_ci_pmg_level", 0) IN (2, 3)
    AND COALESCE("t8"."email_opt_in", FALSE)
    AND "t8"."contact_id" IN (
      SELECT
        "t0"."holder_id" AS "_k"
      FROM "_ind_lines" AS "t0"
      WHERE
        "t0"."organisation_id" = 'ORG'
        AND "t0"."countable"
        AND COALESCE(
          (
            "t0"."order_date" > MAKE_DATE(2025, 1, 15)
          )
          AND (
            "t0"."order_date" <= MAKE_DATE(2026, 1, 15)
          ),
          FALSE
        )
        AND "t0"."holder_id" IS NOT NULL
    )
    AND COALESCE(STARTS_WITH(LOWER("t8"."postal_code"), '75'), FALSE)
    AND (
      COALESCE("t8"."birth_date" > MAKE_DATE(1996, 1, 15), FALSE)
      OR (
        COALESCE("t8"."_ci_abonne_level", 0) = 1
      )
    )
) AS "t9"
