/**
 * A dated, sourced table of list prices (USD) for the cost report: EC2 On-Demand and typical Spot prices for the
 * instance types this project schedules, and the rates of everything the platform keeps running: the EKS control
 * plane, NAT gateway, ALB, public IPv4 addresses, FSx for Lustre, S3, EBS, KMS keys, CloudWatch Logs, Cognito,
 * Secrets Manager and Route 53.
 *
 * Read from stored copies of public sources; nothing here was fetched live from AWS, and no figure was estimated
 * or filled in from memory. The EC2, EKS, NAT, ALB and us-east-1 FSx figures were read on 2026-11-29, the rest on
 * 2026-12-06 (PRICE_TABLE_DATE). A figure no source gave is left out (and listed under "Not found"), so the report
 * says "unknown" for it, never zero. Each region's `sources` names, per figure, the entries of PRICE_SOURCES it
 * comes from; PRICE_SOURCES says what each page or file is and what it states. The sources were published at
 * different times:
 *
 * - On-Demand, us-east-1: Karpenter's generated price file (generated 2026-02-09), and for the system types added
 *   when the system group was sized from requests (m6a, m6i and m7i large, m6i and m7i 2xlarge) the same file at
 *   Karpenter v1.14.1 (generated 2026-07-06; its m6i.xlarge and m7i.xlarge agree with the older one). On-Demand us-west-2 and every
 *   Spot figure: the SkyPilot catalog v7 (undated). It lists p4d.24xlarge at 32.7726 and p5.48xlarge at 98.32
 *   On-Demand where the 2026 Karpenter file has 21.957642 and 55.04 (AWS cut P4/P5 prices in 2025), and it has no
 *   p5.4xlarge or m8a rows, so it predates those changes; its p4d/p5 On-Demand prices are not used.
 * - Spot: the arithmetic mean of the per-AZ SpotPrice values in that catalog for the region (blank AZs skipped),
 *   rounded to 4 decimals: one undated snapshot averaged across zones, not an average over time.
 * - FSx for Lustre PERSISTENT_2 125 MB/s/TiB, us-west-2: a README whose cost table is "for us-west-2 at on-demand
 *   rates, 730 h per month" gives "1.2 TB PERSISTENT_2 SSD, 125 MB/s/TiB | ~$174"; 174 / 1200 GB = 0.145. This is
 *   derived from a rounded monthly figure (any rate from 0.14458 to 0.14542 rounds to $174) and agrees with the
 *   us-east-1 Price List figure of $0.145 read on 2026-07-13. One other GitHub document (index file id
 *   60355796370) says the 250 MB/s/TiB tier is "roughly $0.145/GiB-month in us-west-2", the 125 tier's figure;
 *   it is not used.
 * - SCRATCH_2, us-west-2: the AWS Price List API as a 2026-07-14 analysis quotes it (usage type USW2-Storage,
 *   $0.14 per GB-month).
 * - KMS: the pricing page says automatic rotation adds $1/month per newly generated backing key; AWS announced a
 *   reduction of rotation charges on 2024-04-12 (canglad.com), whose exact rule was not found. The figure here is
 *   the key's own $1/month, which is what each key costs in its first year.
 * - Figures whose source names no region (EKS, KMS, CloudWatch Logs, Cognito, Secrets Manager, Route 53) are used
 *   for both regions, as the EKS one always was; Route 53 is a global service.
 *
 * Not found (left out, so reported as unknown): On-Demand p4d.24xlarge and p5.48xlarge in us-west-2 (only the
 * pre-cut catalog price was found); FSx for Lustre PERSISTENT_2 at 250, 500 and 1000 MB/s/TiB in any region; FSx
 * for Lustre backup storage in any region; EBS io2 (storage and IOPS) in us-west-2; gp3 provisioned throughput in
 * us-east-1. eu-west-1 is not included because its NAT, ALB and FSx figures were not found.
 */
export const PRICE_TABLE_DATE = "2026-12-06"; // when the newest figures were read; see the doc comment

/** Every source the table cites: what it is and what it says. Keys are cited in each region's `sources`. */
export const PRICE_SOURCES: Readonly<Record<string, string>> = {
  "karpenter-2026-02":
    "https://github.com/aws/karpenter-provider-aws/blob/265ee0ba5b8e337dec6b82dde965b03021ccb418/" +
    "pkg/providers/pricing/zz_generated.pricing_aws.go (header: generated at 2026-02-09T13:43:35Z for us-east-1)",
  "karpenter-2026-07":
    "https://github.com/aws/karpenter-provider-aws/blob/bde00654cd316fddb3dccfba3f5ac07039865429/" +
    "pkg/providers/pricing/zz_generated.pricing_aws.go (v1.14.1; header: generated at 2026-07-06T14:20:29Z for us-east-1; " +
    "m6a.large and xlarge :292, m6i.large and 2xlarge :302-303, m7i.large and 2xlarge :334-335)",
  "skypilot-v7":
    "https://github.com/skypilot-org/skypilot-catalog/blob/27f67dd4e1bc0d35fa0ec075180ad54b230882c4/" +
    "catalogs/v7/aws/vms.csv (undated; columns Price and SpotPrice, one row per Availability Zone)",
  "eks-blog":
    "https://aws.amazon.com/blogs/containers/amazon-eks-extended-support-for-kubernetes-versions-pricing/ " +
    '(standard support: "you will continue to pay $0.10 per cluster per hour"; no region named)',
  basavytix:
    'https://basavytix.com/blog/aws-nat-gateway-pricing ("$0.045/hr", "$0.045/GB", "These are the us-east-1 rates")',
  medampudi:
    "https://rajesh.medampudi.com/blog/aws-nat-gateway-hidden-tax (NAT gateway us-east-1: $0.045/hr, $0.045/GB)",
  cloudpipelines:
    'https://cloudpipelines.pages.dev/guides/aws-nat-gateway-pricing-2026 (US West (Oregon): "~$0.045" per hour and per GB)',
  cdo04:
    "GitHub index file id 56376765243, 'Cost Analysis - Task Force 4 · CDO 04': the AWS Pricing API for US West " +
    "(Oregon), USW2-NatGateway-Hours $0.045, USW2-NatGateway-Bytes $0.045; ALB $0.0225/hour, $0.008/LCU-hour",
  "api-evangelist":
    "https://raw.githubusercontent.com/api-evangelist/amazon-elastic-load-balancing/refs/heads/main/plans/" +
    'amazon-elastic-load-balancing-plans-pricing.yml (read 2026-09-20; US-East-1 "$0.0225 hourly charge", "$0.008 per LCU")',
  "cloud-horizons":
    "https://cloud-horizons.com/blog/alb-the-line-item-nobody-watches/ (2026-05-08; ALB $0.0225/h, $0.008/LCU-h)",
  "github-30524193485":
    'GitHub index file id 30524193485 ("Pricing (us-east-1): SSD Storage capacity 125 MB/s/TiB $0.145 per GB-month")',
  "c3x-fsx": 'https://c3x.dev/resources/aws/aws_fsx_lustre_file_system/ ("~$0.145/GB-month (SSD, 125 MB/s/TiB)")',
  "gist-liutongzhou":
    'https://gist.github.com/LiutongZhou/552cf38421bbcaa28435eb1e03f792bb (FSx Lustre Scratch 2: "$140/TB/month")',
  "github-71523268227":
    'GitHub index file id 71523268227 ("us-east-1 ... ~$0.14/GB-mo (Scratch 2 SSD)"; Persistent 2 125 MB/s/TiB "~$0.20/GB-mo")',
  "pricelist-use1-2026-07":
    'GitHub index file id 56715211997, a README cost table: "All rates verified via the AWS Price List API, us-east-1, ' +
    '2026-07-13": FSx for Lustre PERSISTENT_2 SSD, 125 MB/s/TiB $0.145/GB-month; Public IPv4 (EIP) $0.005/hr',
  "pricelist-usw2-fsx-2026-07":
    'GitHub index file id 67545397717, "FSx Scratch_2 vs Persistent_1 Analysis Ledger": "Current AWS Price List API ' +
    'products for AmazonFSx, us-west-2, CreateFileSystem:Lustre, checked 2026-07-14": Scratch_2 SSD, USW2-Storage, $0.14 ' +
    "per provisioned GB-month",
  "physai-readme":
    'GitHub index file id 56183167419, a README cost table "for us-west-2 at on-demand rates, 730 h per month": ' +
    '"FSx for Lustre | 1.2 TB PERSISTENT_2 SSD, 125 MB/s/TiB | ~$174" (undated)',
  "dst-note-2026-09":
    'GitHub index file id 69622238168, "Storage design and cost model", written 2026-09-19, "Prices verified against ' +
    'the AWS Price List API and AWS pricing/docs pages on that date"; us-west-2: Public IPv4 in use $0.005/h ' +
    "(USW2-PublicIPv4:InUseAddress), EBS gp3 $0.08/GB-mo, gp3 extra IOPS $0.005/IOPS-mo and throughput $0.04/MiBps-mo, " +
    "S3 Standard (first 50 TB) $0.023/GB-mo; from aws.amazon.com pricing pages (no region named): Route 53 hosted zone " +
    "$0.50/mo, KMS customer-managed key $1.00/key-mo, CloudWatch Logs ingestion (Standard) $0.50/GB, storage $0.03/GB-mo",
  "aws-kms-pricing":
    'https://aws.amazon.com/kms/pricing/ ("Each AWS KMS key that you create in KMS costs $1/month"; "If you enable ' +
    'automatic key rotation, each newly generated backing key costs an additional $1/month")',
  "canglad-kms":
    "https://www.canglad.com/post/2023/simple-math-of-aws-kms-key-rotation-costs (update: on 2024-04-12 AWS announced " +
    "a reduction of KMS key rotation charges)",
  "quickref-use1":
    'GitHub index file id 52571327843, "AWS Pricing Quick Reference (us-east-1)" (undated): EBS gp3 $0.08/GB/mo with ' +
    "3000 IOPS free + $0.005/IOPS; io1/io2 $0.125/GB/mo + $0.065/IOPS; S3 Standard $0.023/GB/mo; CloudWatch log " +
    "ingestion $0.50/GB, log storage $0.03/GB/mo",
  "auth0-alternatives-2026-09":
    'GitHub index file id 68974662477, blog post "Best Auth0 Alternatives in 2026", "Pricing checked against each ' +
    'vendor\'s pricing page on 24 September 2026": Amazon Cognito "Lite and Essentials include 10,000 MAUs per month ' +
    'free. After that, Essentials (the default) costs $0.015 per MAU, ... and Plus $0.020 per MAU" (no region named)',
  "aws-cognito-pricing-de":
    "https://www.aws.amazon.com/de/cognito/pricing/ (the free tier applies to users who sign in directly or through a " +
    "social identity provider; SAML 2.0 and OIDC federation are counted separately)",
  "hivebook-secrets":
    'https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms ("Pricing is $0.40 per ' +
    'secret per month + $0.05 per 10k API calls"; undated, no region named)',
  "ns1-route53":
    'https://ns1.com/resources/aws-dns ("$0.50 per hosted DNS zone / month for the first 25 hosted zones, $0.10 for additional zones")',
  "pocketlantern-ipv4":
    'https://pocketlantern.dev/briefs/aws-public-ipv4-charge-avoidance-vpc-and-load-balancer-design-2026 ("As of ' +
    '2026-03-15, AWS charges "$0.005" per hour for both in-use and idle public IPv4 addresses"; the service-managed ' +
    "addresses of ALBs and public NAT gateways included)",
};

/** The figures of a region's prices, as `sources` names them. */
export type PricedFigure =
  | "onDemandHourly"
  | "spotHourly"
  | "eksClusterHourly"
  | "natGatewayHourly"
  | "natGatewayPerGB"
  | "albHourly"
  | "albLcuHourly"
  | "publicIpv4Hourly"
  | "fsxPersistent2PerGBMonth"
  | "fsxScratch2PerGBMonth"
  | "s3StandardPerGBMonth"
  | "ebsGp3PerGBMonth"
  | "ebsGp3IopsMonth"
  | "ebsGp3ThroughputMonth"
  | "ebsIo2PerGBMonth"
  | "ebsIo2IopsMonth"
  | "kmsKeyMonthly"
  | "logsIngestPerGB"
  | "logsStoragePerGBMonth"
  | "cognito"
  | "secretsManagerSecretMonthly"
  | "route53HostedZoneMonthly";

/** A Cognito user pool feature plan's price: per monthly active user beyond the free ones. */
export interface CognitoPlanPrice {
  readonly perMau: number;
  /** Monthly active users a month free of charge (0: none). */
  readonly freeMau: number;
}

export interface RegionPrices {
  /** On-Demand Linux USD per hour, by instance type. */
  readonly onDemandHourly: Readonly<Record<string, number>>;
  /**
   * Typical Spot USD per hour: the mean of the per-AZ Spot prices in one SkyPilot catalog snapshot (see the file
   * comment), by instance type; types with no figure are omitted.
   */
  readonly spotHourly: Readonly<Record<string, number>>;
  readonly eksClusterHourly: number; // EKS control plane, standard support
  readonly natGatewayHourly: number; // per NAT gateway, excluding data processing
  readonly natGatewayPerGB: number; // data processing
  readonly albHourly: number; // per ALB, excluding LCUs
  readonly albLcuHourly: number;
  /** Per public IPv4 address, in use or idle (the NAT gateway's Elastic IP, the ALB's addresses). */
  readonly publicIpv4Hourly?: number;
  /** Keyed by throughput per TiB: "125", "250", "500", "1000"; tiers with no sourced figure are omitted. */
  readonly fsxPersistent2PerGBMonth: Readonly<Record<string, number>>;
  readonly fsxScratch2PerGBMonth?: number;
  /** S3 Standard, first 50 TB a month. */
  readonly s3StandardPerGBMonth?: number;
  readonly ebsGp3PerGBMonth?: number;
  /** Per provisioned IOPS-month above gp3's free 3,000. */
  readonly ebsGp3IopsMonth?: number;
  /** Per provisioned MiB/s-month above gp3's free 125 MiB/s. */
  readonly ebsGp3ThroughputMonth?: number;
  readonly ebsIo2PerGBMonth?: number;
  /** Per provisioned IOPS-month (the sources quote one rate). */
  readonly ebsIo2IopsMonth?: number;
  /** Per customer-managed key, before rotation (see the file comment). */
  readonly kmsKeyMonthly?: number;
  /** CloudWatch Logs ingestion, Standard log class. */
  readonly logsIngestPerGB?: number;
  /** CloudWatch Logs storage. */
  readonly logsStoragePerGBMonth?: number;
  /** Cognito user pool feature plans; a plan with no sourced figure is omitted. */
  readonly cognito: Readonly<Partial<Record<"essentials" | "plus", CognitoPlanPrice>>>;
  readonly secretsManagerSecretMonthly?: number;
  /** Per hosted zone, for the first 25 zones of an account. */
  readonly route53HostedZoneMonthly?: number;
  /** Which PRICE_SOURCES entries each figure comes from (free text for a live source). */
  readonly sources: Readonly<Partial<Record<PricedFigure, readonly string[]>>>;
}

export const PRICE_TABLE: Readonly<Record<string, RegionPrices>> = {
  "us-west-2": {
    // SkyPilot catalog v7 @27f67dd4, Price column (identical in every us-west-2 AZ row).
    onDemandHourly: {
      "g6.xlarge": 0.8048,
      "g6.2xlarge": 0.9776,
      "g6.12xlarge": 4.6016,
      "g6.24xlarge": 6.6752,
      "g5.xlarge": 1.006,
      "g5.2xlarge": 1.212,
      "g5.12xlarge": 5.672,
      "g5.24xlarge": 8.144,
      "g4dn.xlarge": 0.526,
      "g4dn.12xlarge": 3.912,
      "g6e.xlarge": 1.861,
      "g6e.12xlarge": 10.49264,
      "m7i.xlarge": 0.2016,
      "m6i.xlarge": 0.192,
      // System types (read 2026-12-06, usw2-az1 to az4 rows of the same catalog):
      "m6a.large": 0.0864,
      "m6a.xlarge": 0.1728,
      "m6i.large": 0.096,
      "m6i.2xlarge": 0.384,
      "m7i.large": 0.1008,
      // m7i.2xlarge: not read
      // p4d.24xlarge, p5.48xlarge: left out (only a pre-2025-price-cut catalog price was found).
    },
    // Mean of the usw2-az* SpotPrice values in the same catalog (blank AZs skipped).
    spotHourly: {
      "g6.xlarge": 0.4387, // az1 0.3814, az3 0.5386, az4 0.3961 (az2 blank)
      "g6.2xlarge": 0.4581, // az1 0.4152, az3 0.4791, az4 0.4801 (az2 blank)
      "g6.12xlarge": 1.719, // az1 1.6908, az3 1.7719, az4 1.6942 (az2 blank)
      "g6.24xlarge": 2.8099, // az1 2.6984, az3 3.3387, az4 2.3927 (az2 blank)
      "g5.xlarge": 0.3711, // az1 0.3732, az2 0.3744, az3 0.3656
      "g5.2xlarge": 0.4221, // az1 0.4124, az2 0.4291, az3 0.4248
      "g5.12xlarge": 1.9335, // az1 1.7956, az2 2.0731, az3 1.9319
      "g5.24xlarge": 2.9222, // az1 2.9044, az2 2.9109, az3 2.9513
      "g4dn.xlarge": 0.1854, // az1 0.1854, az2 0.1890, az3 0.1819
      "g4dn.12xlarge": 1.4949, // az1 1.4858, az2 1.3961, az3 1.6028
      "g6e.xlarge": 0.9738, // az1 0.8906, az2 0.8679, az3 0.9110, az4 1.2255
      "g6e.12xlarge": 5.0174, // az1 5.1769, az2 4.6355, az3 4.9759, az4 5.2813
      "p4d.24xlarge": 11.1555, // az1 10.6492, az2 11.5625, az3 11.2548
      "p5.48xlarge": 32.4437, // az1 33.5112, az2 31.5091, az3 32.9786, az4 31.7760
      "m7i.xlarge": 0.0855, // az1 0.0840, az2 0.0932, az3 0.0814, az4 0.0835
      "m6i.xlarge": 0.0806, // az1 0.0872, az2 0.0749, az3 0.0910, az4 0.0693
    },
    eksClusterHourly: 0.1, // AWS Containers blog (no region named)
    natGatewayHourly: 0.045, // CDO 04 doc (Pricing API, USW2-NatGateway-Hours); cloudpipelines "~$0.045"
    natGatewayPerGB: 0.045, // CDO 04 doc (Pricing API, USW2-NatGateway-Bytes); cloudpipelines "~$0.045"
    albHourly: 0.0225, // CDO 04 doc
    albLcuHourly: 0.008, // CDO 04 doc
    publicIpv4Hourly: 0.005, // DST note (Price List API, USW2-PublicIPv4:InUseAddress); pocketlantern (any region)
    fsxPersistent2PerGBMonth: {
      "125": 0.145, // derived: ~$174 a month for 1.2 TB in us-west-2 (physai README), 174 / 1200
      // "250", "500", "1000": not found
    },
    fsxScratch2PerGBMonth: 0.14, // Price List API, USW2-Storage, as the 2026-07-14 ledger quotes it
    s3StandardPerGBMonth: 0.023, // DST note (aws.amazon.com/s3/pricing, us-west-2, first 50 TB)
    ebsGp3PerGBMonth: 0.08, // DST note (Price List API, volumeApiName=gp3)
    ebsGp3IopsMonth: 0.005, // DST note (Price List API)
    ebsGp3ThroughputMonth: 0.04, // DST note (Price List API), per MiB/s-month
    // ebsIo2PerGBMonth, ebsIo2IopsMonth: not found for us-west-2
    kmsKeyMonthly: 1, // KMS pricing page; DST note (no region named)
    logsIngestPerGB: 0.5, // DST note, from the CloudWatch pricing page (no region named)
    logsStoragePerGBMonth: 0.03, // same
    cognito: {
      essentials: { perMau: 0.015, freeMau: 10000 }, // "Best Auth0 Alternatives in 2026" (no region named)
      plus: { perMau: 0.02, freeMau: 0 }, // same: the 10,000 free MAUs are Lite's and Essentials' only
    },
    secretsManagerSecretMonthly: 0.4, // hivebook.wiki (no region named)
    route53HostedZoneMonthly: 0.5, // ns1.com; DST note (global service)
    sources: {
      onDemandHourly: ["skypilot-v7"],
      spotHourly: ["skypilot-v7"],
      eksClusterHourly: ["eks-blog"],
      natGatewayHourly: ["cdo04", "cloudpipelines"],
      natGatewayPerGB: ["cdo04", "cloudpipelines"],
      albHourly: ["cdo04"],
      albLcuHourly: ["cdo04"],
      publicIpv4Hourly: ["dst-note-2026-09", "pocketlantern-ipv4"],
      fsxPersistent2PerGBMonth: ["physai-readme", "pricelist-use1-2026-07"],
      fsxScratch2PerGBMonth: ["pricelist-usw2-fsx-2026-07"],
      s3StandardPerGBMonth: ["dst-note-2026-09"],
      ebsGp3PerGBMonth: ["dst-note-2026-09"],
      ebsGp3IopsMonth: ["dst-note-2026-09"],
      ebsGp3ThroughputMonth: ["dst-note-2026-09"],
      kmsKeyMonthly: ["aws-kms-pricing", "dst-note-2026-09"],
      logsIngestPerGB: ["dst-note-2026-09"],
      logsStoragePerGBMonth: ["dst-note-2026-09"],
      cognito: ["auth0-alternatives-2026-09", "aws-cognito-pricing-de"],
      secretsManagerSecretMonthly: ["hivebook-secrets"],
      route53HostedZoneMonthly: ["ns1-route53", "dst-note-2026-09"],
    },
  },
  "us-east-1": {
    // Karpenter zz_generated.pricing_aws.go, generated 2026-02-09 (us-east-1).
    onDemandHourly: {
      "g6.xlarge": 0.8048,
      "g6.2xlarge": 0.9776,
      "g6.12xlarge": 4.6016,
      "g6.24xlarge": 6.6752,
      "g5.xlarge": 1.006,
      "g5.2xlarge": 1.212,
      "g5.12xlarge": 5.672,
      "g5.24xlarge": 8.144,
      "g4dn.xlarge": 0.526,
      "g4dn.12xlarge": 3.912,
      "g6e.xlarge": 1.861,
      "g6e.12xlarge": 10.49264,
      "p4d.24xlarge": 21.957642,
      "p5.48xlarge": 55.04,
      "m7i.xlarge": 0.2016,
      "m6i.xlarge": 0.192,
      // Karpenter's file at v1.14.1 (generated 2026-07-06):
      "m6a.large": 0.0864,
      "m6a.xlarge": 0.1728,
      "m6i.large": 0.096,
      "m6i.2xlarge": 0.384,
      "m7i.large": 0.1008,
      "m7i.2xlarge": 0.4032,
    },
    // Mean of the use1-az* SpotPrice values in the SkyPilot catalog v7 @27f67dd4 (blank AZs skipped).
    spotHourly: {
      "g6.xlarge": 0.4022, // az1 0.4042, az2 0.3885, az4 0.4121, az6 0.4042
      "g6.2xlarge": 0.4368, // az1 0.4493, az2 0.3954, az4 0.4575, az6 0.4451
      "g6.12xlarge": 2.0603, // az1 2.0183, az2 2.4300, az4 1.9070, az6 1.8860
      "g6.24xlarge": 2.9157, // az1 3.0497, az2 2.1914, az4 3.2188, az6 3.2029
      "g5.xlarge": 0.4051, // az1 0.4121, az2 0.3989, az4 0.4159, az5 0.3948, az6 0.4036
      "g5.2xlarge": 0.5054, // az1 0.5646, az2 0.5692, az4 0.4881, az5 0.4396, az6 0.4655
      "g5.12xlarge": 2.3346, // az1 1.5924, az2 2.1643, az4 2.5536, az5 2.6874, az6 2.6751
      "g5.24xlarge": 3.7031, // az1 3.1719, az2 3.5436, az4 3.9362, az5 3.9682, az6 3.8955
      "g4dn.xlarge": 0.1875, // az1 0.2025, az2 0.1831, az4 0.1824, az5 0.1841, az6 0.1853
      "g4dn.12xlarge": 1.3551, // az1 1.4828, az2 1.3485, az4 1.3959, az5 1.3042, az6 1.2440
      "g6e.xlarge": 1.1188, // az1 1.0331, az2 0.8990, az4 1.0377, az6 1.5055
      "g6e.12xlarge": 4.7132, // az1 4.1107, az2 4.9627, az4 5.1126, az6 4.6667
      "p4d.24xlarge": 8.1588, // az1 7.7864, az2 9.8722, az6 6.8179
      "p5.48xlarge": 27.0948, // az1 30.6846, az2 28.2404, az3 23.1583, az4 28.9688, az5 25.9977, az6 25.5192
      "m7i.xlarge": 0.0866, // az1 0.0927, az2 0.0892, az4 0.0780, az5 0.0909, az6 0.0822
      "m6i.xlarge": 0.077, // az1 0.0866, az2 0.0674, az4 0.0756, az5 0.0775, az6 0.0778
    },
    eksClusterHourly: 0.1, // AWS Containers blog (no region named)
    natGatewayHourly: 0.045, // basavytix.com, rajesh.medampudi.com
    natGatewayPerGB: 0.045, // basavytix.com, rajesh.medampudi.com
    albHourly: 0.0225, // api-evangelist ELB pricing YAML (AWS pricing-page example, US-East-1); cloud-horizons.com
    albLcuHourly: 0.008, // same two sources
    publicIpv4Hourly: 0.005, // README verified with the Price List API, us-east-1, 2026-07-13; pocketlantern
    fsxPersistent2PerGBMonth: {
      // GitHub note id 30524193485; c3x.dev "~$0.145"; the Price List API as the 2026-07-13 README quotes it
      // (doc id 71523268227 says ~$0.20)
      "125": 0.145,
      // "250", "500", "1000": not found
    },
    fsxScratch2PerGBMonth: 0.14, // gist LiutongZhou ($140/TB/month); doc id 71523268227 (~$0.14, us-east-1)
    s3StandardPerGBMonth: 0.023, // quick reference (us-east-1)
    ebsGp3PerGBMonth: 0.08, // quick reference (us-east-1)
    ebsGp3IopsMonth: 0.005, // quick reference (us-east-1), above the free 3,000
    // ebsGp3ThroughputMonth: not found for us-east-1
    ebsIo2PerGBMonth: 0.125, // quick reference (us-east-1), "io1/io2"
    ebsIo2IopsMonth: 0.065, // quick reference (us-east-1), "io1/io2"
    kmsKeyMonthly: 1, // KMS pricing page; DST note (no region named)
    logsIngestPerGB: 0.5, // quick reference; DST note (CloudWatch pricing page, no region named)
    logsStoragePerGBMonth: 0.03, // same
    cognito: {
      essentials: { perMau: 0.015, freeMau: 10000 }, // "Best Auth0 Alternatives in 2026" (no region named)
      plus: { perMau: 0.02, freeMau: 0 }, // same: the 10,000 free MAUs are Lite's and Essentials' only
    },
    secretsManagerSecretMonthly: 0.4, // hivebook.wiki (no region named)
    route53HostedZoneMonthly: 0.5, // ns1.com; DST note (global service)
    sources: {
      onDemandHourly: ["karpenter-2026-02", "karpenter-2026-07"],
      spotHourly: ["skypilot-v7"],
      eksClusterHourly: ["eks-blog"],
      natGatewayHourly: ["basavytix", "medampudi"],
      natGatewayPerGB: ["basavytix", "medampudi"],
      albHourly: ["api-evangelist", "cloud-horizons"],
      albLcuHourly: ["api-evangelist", "cloud-horizons"],
      publicIpv4Hourly: ["pricelist-use1-2026-07", "pocketlantern-ipv4"],
      fsxPersistent2PerGBMonth: ["github-30524193485", "c3x-fsx", "pricelist-use1-2026-07"],
      fsxScratch2PerGBMonth: ["gist-liutongzhou", "github-71523268227"],
      s3StandardPerGBMonth: ["quickref-use1"],
      ebsGp3PerGBMonth: ["quickref-use1"],
      ebsGp3IopsMonth: ["quickref-use1"],
      ebsIo2PerGBMonth: ["quickref-use1"],
      ebsIo2IopsMonth: ["quickref-use1"],
      kmsKeyMonthly: ["aws-kms-pricing", "dst-note-2026-09"],
      logsIngestPerGB: ["quickref-use1", "dst-note-2026-09"],
      logsStoragePerGBMonth: ["quickref-use1", "dst-note-2026-09"],
      cognito: ["auth0-alternatives-2026-09", "aws-cognito-pricing-de"],
      secretsManagerSecretMonthly: ["hivebook-secrets"],
      route53HostedZoneMonthly: ["ns1-route53", "dst-note-2026-09"],
    },
  },
};
