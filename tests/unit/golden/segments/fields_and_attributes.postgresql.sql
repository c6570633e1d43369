SELECT
  "t6"."institution_id",
  "t6"."contact_id"
FROM (
  SELECT
    "t3"."contact_id",
    "t3"."institution_id",
    "t3"."kind",
    "t3"."structure_type",
    "t3"."parent_contact_id",
    "t3"."title",
    "t3"."first_name",
    "t3"."last_name",
    "t3"."structure_name",
    "t3"."email",
    "t3"."phone",
    "t3"."birth_date",
    "t3"."street",
    "t3"."postal_code",
    "t3"."city",
    "t3"."country",
    "t3"."language",
    "t3"."created_at",
    "t3"."email_opt_in",
    "t3"."sms_opt_in",
    "t3"."post_opt_in",
    "t3"."attributes",
    "t5"."_j1_k",
    "t5"."_j1_v"
  FROM (
    SELECT
      *
    FROM "contacts" AS "t0"
    WHERE
      "t0"."institution_id" = 'INST'
  ) AS "t3"
  LEFT OUTER JOIN (
    SELECT
      "t2"."parent_contact_id" AS "_j1_k",
      COUNT(*) AS "_j1_v"
    FROM (
      SELECT
        *
      FROM "contacts" AS "t0"
      WHERE
        "t0"."institution_id" = 'INST' AND "t0"."parent_contact_id" IS NOT NULL
    ) AS "t2"
    GROUP BY
      1
  ) AS "t5"
    ON "t3"."contact_id" = "t5"."_j1_k"
) AS "t6"
WHERE
  COALESCE("t6"."kind" IN ('INDIVIDUAL'), FALSE)
  AND COALESCE(
    (
      DATE("t6"."created_at") > MAKE_DATE(2024, 1, 15)
    )
    AND (
      DATE("t6"."created_at") <= MAKE_DATE(2026, 1, 15)
    ),
    FALSE
  )
  AND COALESCE("t6"."_j1_v", 0) = 0
  AND (
    COALESCE(
      CASE
        WHEN CASE
          WHEN JSONB_TYPEOF(JSONB_EXTRACT_PATH("t6"."attributes", CAST('points' AS VARCHAR))) = 'string'
          THEN JSONB_EXTRACT_PATH_TEXT(
            JSONB_EXTRACT_PATH("t6"."attributes", CAST('points' AS VARCHAR)),
            VARIADIC ARRAY[]::TEXT[]
          )
          ELSE NULL
        END ~ '^[+-]?[0-9]{1,20}([.,][0-9]{1,10})?$'
        THEN CAST(REPLACE(
          CASE
            WHEN JSONB_TYPEOF(JSONB_EXTRACT_PATH("t6"."attributes", CAST('points' AS VARCHAR))) = 'string'
            THEN JSONB_EXTRACT_PATH_TEXT(
              JSONB_EXTRACT_PATH("t6"."attributes", CAST('points' AS VARCHAR)),
              VARIADIC ARRAY[]::TEXT[]
            )
            ELSE NULL
          END,
          ',',
          '.'
        ) AS DECIMAL(38, 10))
        ELSE CAST(NULL AS DECIMAL(38, 10))
      END >= CAST('10.0000000000' AS DECIMAL(38, 10)),
      FALSE
    )
    OR COALESCE(
      CASE
        WHEN CASE
          WHEN JSONB_TYPEOF(JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR))) = 'string'
          THEN JSONB_EXTRACT_PATH_TEXT(
            JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR)),
            VARIADIC ARRAY[]::TEXT[]
          )
          ELSE NULL
        END ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ].*)?$'
        THEN SUBSTRING(CASE
          WHEN JSONB_TYPEOF(JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR))) = 'string'
          THEN JSONB_EXTRACT_PATH_TEXT(
            JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR)),
            VARIADIC ARRAY[]::TEXT[]
          )
          ELSE NULL
        END FROM CASE
          WHEN (
            0 + 1
          ) >= 1
          THEN 0 + 1
          ELSE 0 + 1 + LENGTH(
            CASE
              WHEN JSONB_TYPEOF(JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR))) = 'string'
              THEN JSONB_EXTRACT_PATH_TEXT(
                JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR)),
                VARIADIC ARRAY[]::TEXT[]
              )
              ELSE NULL
            END
          )
        END FOR 10)
        WHEN CASE
          WHEN JSONB_TYPEOF(JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR))) = 'string'
          THEN JSONB_EXTRACT_PATH_TEXT(
            JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR)),
            VARIADIC ARRAY[]::TEXT[]
          )
          ELSE NULL
        END ~ '^[0-9]{2}/[0-9]{2}/[0-9]{4}$'
        THEN SUBSTRING(CASE
          WHEN JSONB_TYPEOF(JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR))) = 'string'
          THEN JSONB_EXTRACT_PATH_TEXT(
            JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR)),
            VARIADIC ARRAY[]::TEXT[]
          )
          ELSE NULL
        END FROM CASE
          WHEN (
            6 + 1
          ) >= 1
          THEN 6 + 1
          ELSE 6 + 1 + LENGTH(
            CASE
              WHEN JSONB_TYPEOF(JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR))) = 'string'
              THEN JSONB_EXTRACT_PATH_TEXT(
                JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR)),
                VARIADIC ARRAY[]::TEXT[]
              )
              ELSE NULL
            END
          )
        END FOR 4) || '-' || SUBSTRING(CASE
          WHEN JSONB_TYPEOF(JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR))) = 'string'
          THEN JSONB_EXTRACT_PATH_TEXT(
            JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR)),
            VARIADIC ARRAY[]::TEXT[]
          )
          ELSE NULL
        END FROM CASE
          WHEN (
            3 + 1
          ) >= 1
          THEN 3 + 1
          ELSE 3 + 1 + LENGTH(
            CASE
              WHEN JSONB_TYPEOF(JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR))) = 'string'
              THEN JSONB_EXTRACT_PATH_TEXT(
                JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR)),
                VARIADIC ARRAY[]::TEXT[]
              )
              ELSE NULL
            END
          )
        END FOR 2) || '-' || SUBSTRING(CASE
          WHEN JSONB_TYPEOF(JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR))) = 'string'
          THEN JSONB_EXTRACT_PATH_TEXT(
            JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR)),
            VARIADIC ARRAY[]::TEXT[]
          )
          ELSE NULL
        END FROM CASE
          WHEN (
            0 + 1
          ) >= 1
          THEN 0 + 1
          ELSE 0 + 1 + LENGTH(
            CASE
              WHEN JSONB_TYPEOF(JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR))) = 'string'
              THEN JSONB_EXTRACT_PATH_TEXT(
                JSONB_EXTRACT_PATH("t6"."attributes", CAST('since' AS VARCHAR)),
                VARIADIC ARRAY[]::TEXT[]
              )
              ELSE NULL
            END
          )
        END FOR 2)
        ELSE CAST(NULL AS VARCHAR)
      END < '2020-01-01',
      FALSE
    )
    OR COALESCE(
      LOWER(
        CASE
          WHEN JSONB_TYPEOF(JSONB_EXTRACT_PATH("t6"."attributes", CAST('vip' AS VARCHAR))) = 'string'
          THEN JSONB_EXTRACT_PATH_TEXT(
            JSONB_EXTRACT_PATH("t6"."attributes", CAST('vip' AS VARCHAR)),
            VARIADIC ARRAY[]::TEXT[]
          )
          ELSE NULL
        END
      ) IN ('true', '1', 'yes', 'oui', 'y', 'o', 'vrai'),
      FALSE
    )
  )
  AND NOT (
    COALESCE(LOWER("t6"."city") IN ('paris', 'lyon'), FALSE)
    OR COALESCE(NOT (
      "t6"."sms_opt_in"
    ), FALSE)
  )
