SELECT
  "t30"."institution_id",
  "t30"."contact_id"
FROM (
  SELECT
    "t14"."contact_id",
    "t14"."institution_id",
    "t14"."kind",
    "t14"."structure_type",
    "t14"."parent_contact_id",
    "t14"."title",
    "t14"."first_name",
    "t14"."last_name",
    "t14"."structure_name",
    "t14"."email",
    "t14"."phone",
    "t14"."birth_date",
    "t14"."street",
    "t14"."postal_code",
    "t14"."city",
    "t14"."country",
    "t14"."language",
    "t14"."created_at",
    "t14"."email_opt_in",
    "t14"."sms_opt_in",
    "t14"."post_opt_in",
    "t14"."attributes",
    "t21"."_j1_k",
    "t21"."_j1_v",
    "t29"."_j2_k",
    "t29"."_j2_v",
    "t27"."_j3_k",
    "t27"."_j3_v",
    "t20"."_j4_k",
    "t20"."_j4_v"
  FROM (
    SELECT
      *
    FROM "contacts" AS "t0"
    WHERE
      "t0"."institution_id" = 'INST'
  ) AS "t14"
  LEFT OUTER JOIN (
    SELECT
      "t9"."buyer_id" AS "_j1_k",
      SUM("t9"."amount") AS "_j1_v"
    FROM (
      SELECT
        *
      FROM "_ind_lines" AS "t1"
      WHERE
        "t1"."organisation_id" = 'ORG'
        AND "t1"."revenue"
        AND "t1"."season_id" = 'S2025'
        AND "t1"."buyer_id" IS NOT NULL
    ) AS "t9"
    GROUP BY
      1
  ) AS "t21"
    ON "t14"."contact_id" = "t21"."_j1_k"
  LEFT OUTER JOIN (
    SELECT
      "t25"."holder_id" AS "_j2_k",
      COUNT("t25"."line_id") AS "_j2_v"
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t19"."organisation_id",
          "t19"."order_id",
          "t19"."performance_id",
          "t19"."holder_id",
          "t19"."buyer_id",
          "t19"."amount",
          "t19"."countable",
          "t19"."revenue",
          "t19"."in_current",
          "t19"."in_previous",
          "t19"."order_date",
          "t19"."line_id",
          "t19"."payer_id",
          "t19"."status",
          "t19"."season_id",
          "t19"."perf_date",
          "t19"."perf_kind",
          "t19"."family",
          "t19"."audience",
          "t19"."product_season_id",
          "t19"."valid_from",
          "t19"."valid_to",
          "t11"."product_id",
          "t11"."scanned_at",
          "t13"."genre"
        FROM (
          SELECT
            *
          FROM "_ind_lines" AS "t1"
          WHERE
            "t1"."organisation_id" = 'ORG'
            AND "t1"."countable"
            AND COALESCE(
              (
                "t1"."perf_date" > MAKE_DATE(2025, 7, 15)
              )
              AND (
                "t1"."perf_date" <= MAKE_DATE(2026, 1, 15)
              ),
              FALSE
            )
        ) AS "t19"
        INNER JOIN (
          SELECT
            "t2"."organisation_id" AS "ol_org",
            "t2"."line_id" AS "ol_line",
            "t2"."product_id",
            "t2"."scanned_at"
          FROM "order_lines" AS "t2"
        ) AS "t11"
          ON "t19"."organisation_id" = "t11"."ol_org" AND "t19"."line_id" = "t11"."ol_line"
        LEFT OUTER JOIN (
          SELECT
            "t3"."organisation_id" AS "pr_org",
            "t3"."product_id" AS "pr_id",
            "t3"."genre"
          FROM "products" AS "t3"
        ) AS "t13"
          ON "t19"."organisation_id" = "t13"."pr_org" AND "t11"."product_id" = "t13"."pr_id"
      ) AS "t23"
      WHERE
        "t23"."scanned_at" IS NOT NULL
        AND "t23"."scanned_at" < CAST('2026-01-16T00:00:00' AS TIMESTAMP)
        AND LOWER("t23"."genre") IN ('opéra', 'danse')
        AND "t23"."holder_id" IS NOT NULL
    ) AS "t25"
    GROUP BY
      1
  ) AS "t29"
    ON "t14"."contact_id" = "t29"."_j2_k"
  LEFT OUTER JOIN (
    SELECT
      "t24"."buyer_id" AS "_j3_k",
      COUNT("t24"."line_id") AS "_j3_v"
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t15"."organisation_id",
          "t15"."order_id",
          "t15"."performance_id",
          "t15"."holder_id",
          "t15"."buyer_id",
          "t15"."amount",
          "t15"."countable",
          "t15"."revenue",
          "t15"."in_current",
          "t15"."in_previous",
          "t15"."order_date",
          "t15"."line_id",
          "t15"."payer_id",
          "t15"."status",
          "t15"."season_id",
          "t15"."perf_date",
          "t15"."perf_kind",
          "t15"."family",
          "t15"."audience",
          "t15"."product_season_id",
          "t15"."valid_from",
          "t15"."valid_to",
          "t12"."scanned_at"
        FROM (
          SELECT
            *
          FROM "_ind_lines" AS "t1"
          WHERE
            "t1"."organisation_id" = 'ORG'
            AND "t1"."countable"
            AND "t1"."perf_date" <= MAKE_DATE(2026, 1, 15)
        ) AS "t15"
        INNER JOIN (
          SELECT
            "t2"."organisation_id" AS "ol_org",
            "t2"."line_id" AS "ol_line",
            "t2"."scanned_at"
          FROM "order_lines" AS "t2"
        ) AS "t12"
          ON "t15"."organisation_id" = "t12"."ol_org" AND "t15"."line_id" = "t12"."ol_line"
      ) AS "t22"
      WHERE
        (
          (
            "t22"."scanned_at" IS NULL
          )
          OR (
            "t22"."scanned_at" >= CAST('2026-01-16T00:00:00' AS TIMESTAMP)
          )
        )
        AND "t22"."buyer_id" IS NOT NULL
    ) AS "t24"
    GROUP BY
      1
  ) AS "t27"
    ON "t14"."contact_id" = "t27"."_j3_k"
  LEFT OUTER JOIN (
    SELECT
      "t8"."payer_id" AS "_j4_k",
      MAX("t8"."order_date") AS "_j4_v"
    FROM (
      SELECT
        *
      FROM "_ind_lines" AS "t1"
      WHERE
        "t1"."organisation_id" = 'ORG'
        AND "t1"."countable"
        AND "t1"."payer_id" IS NOT NULL
    ) AS "t8"
    GROUP BY
      1
  ) AS "t20"
    ON "t14"."contact_id" = "t20"."_j4_k"
) AS "t30"
WHERE
  COALESCE(STARTS_WITH(LOWER("t30"."postal_code"), '75'), FALSE)
  AND COALESCE("t30"."_j1_v", 0) >= CAST('1E+2' AS DECIMAL)
  AND NOT (
    (
      "t30"."_j2_v" IS NOT NULL
    ) OR (
      "t30"."_j3_v" IS NOT NULL
    )
  )
  AND COALESCE("t30"."_j4_v" < MAKE_DATE(2025, 1, 1), FALSE)
