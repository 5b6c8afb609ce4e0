/**
 * A dated, sourced table of list prices (USD) for the cost report: EC2 On-Demand and typical Spot prices for the
 * instance types this project schedules, plus the EKS control plane, NAT gateway, ALB and FSx for Lustre rates.
 *
 * Read on 2026-11-29 (PRICE_TABLE_DATE) from stored copies of public sources; nothing here was fetched live from
 * AWS, and no figure was estimated. A figure no source gave is left out (and listed under "Not found"), never
 * filled in. The sources were published at different times:
 *
 * - On-Demand, us-east-1: aws/karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go at commit
 *   265ee0ba5b8e337dec6b82dde965b03021ccb418, header "generated at 2026-02-09T13:43:35Z for us-east-1".
 *   (The same values, except p4d/p5, are in the SkyPilot catalog below.)
 * - On-Demand, us-west-2, and every Spot figure: skypilot-org/skypilot-catalog catalogs/v7/aws/vms.csv at commit
 *   27f67dd4e1bc0d35fa0ec075180ad54b230882c4 (columns Price and SpotPrice, one row per Availability Zone). The file
 *   carries no date. It lists p4d.24xlarge at 32.7726 and p5.48xlarge at 98.32 On-Demand where the 2026 Karpenter
 *   file has 21.957642 and 55.04 (AWS cut P4/P5 prices in 2025), and it has no p5.4xlarge or m8a rows, so it
 *   predates those changes. Its p4d/p5 On-Demand prices are therefore not used.
 * - Spot: the arithmetic mean of the per-AZ SpotPrice values in that catalog for the region (blank AZs skipped),
 *   rounded to 4 decimals. It is one undated snapshot averaged across zones, not an average over time, and not
 *   derived from a savings percentage.
 * - EKS: AWS Containers blog, "Amazon EKS extended support for Kubernetes versions pricing": standard support "you
 *   will continue to pay $0.10 per cluster per hour" (the post names no region; used for both).
 * - NAT gateway, us-east-1: basavytix.com/blog/aws-nat-gateway-pricing ("$0.045/hr", "$0.045/GB", "These are the
 *   us-east-1 rates"); rajesh.medampudi.com/blog/aws-nat-gateway-hidden-tax says the same for us-east-1.
 *   us-west-2: a GitHub cost-analysis document (index file id 56376765243, "Cost Analysis - Task Force 4 · CDO 04")
 *   quoting the AWS Pricing API for US West (Oregon): USW2-NatGateway-Hours $0.045, USW2-NatGateway-Bytes $0.045;
 *   cloudpipelines.pages.dev/guides/aws-nat-gateway-pricing-2026 gives "~$0.045" / "~$0.045" for US West (Oregon).
 * - ALB, us-east-1: api-evangelist amazon-elastic-load-balancing plans pricing YAML (page read 2026-09-20, the
 *   pricing examples on aws.amazon.com/elasticloadbalancing/pricing/ for US-East-1): "$0.0225 hourly charge",
 *   "$0.008 per LCU"; cloud-horizons.com (2026-05-08) gives the same two rates. us-west-2: the same CDO 04 document
 *   (ALB in us-west-2: $0.0225/hour, $0.008/LCU-hour).
 * - FSx for Lustre, us-east-1 only: Persistent-2 SSD at 125 MB/s/TiB $0.145/GB-month from a GitHub note (index
 *   file id 30524193485, "Pricing (us-east-1): SSD Storage capacity 125 MB/s/TiB $0.145 per GB-month") and
 *   c3x.dev/resources/aws/aws_fsx_lustre_file_system ("~$0.145/GB-month (SSD, 125 MB/s/TiB)"); one other GitHub
 *   document (index file id 71523268227) says "~$0.20/GB-mo" for that tier, so treat this figure with care.
 *   Scratch-2 $0.14/GB-month from gist LiutongZhou/552cf38421bbcaa28435eb1e03f792bb ("$140/TB/month") and a GitHub
 *   document (id 71523268227: "us-east-1 ... ~$0.14/GB-mo (Scratch 2 SSD)").
 *
 * Not found (left out): On-Demand p4d.24xlarge and p5.48xlarge in us-west-2 (only the pre-cut catalog price was
 * found); FSx for Lustre Persistent-2 at 250, 500 and 1000 MB/s/TiB in any region; every FSx for Lustre figure in
 * us-west-2. eu-west-1 is not included because its NAT, ALB and FSx figures were not found.
 */
export const PRICE_TABLE_DATE = "2026-11-29"; // when the figures were read; see the doc comment for source dates

export const PRICE_TABLE_SOURCES: readonly string[] = [
  "https://github.com/aws/karpenter-provider-aws/blob/265ee0ba5b8e337dec6b82dde965b03021ccb418/" +
    "pkg/providers/pricing/zz_generated.pricing_aws.go (generated 2026-02-09T13:43:35Z, us-east-1 On-Demand)",
  "https://github.com/skypilot-org/skypilot-catalog/blob/27f67dd4e1bc0d35fa0ec075180ad54b230882c4/" +
    "catalogs/v7/aws/vms.csv (undated; us-west-2 On-Demand, per-AZ Spot snapshot for both regions)",
  "https://aws.amazon.com/blogs/containers/amazon-eks-extended-support-for-kubernetes-versions-pricing/ " +
    "(read via the aws.haqm.com mirror; EKS standard support $0.10 per cluster per hour)",
  "https://basavytix.com/blog/aws-nat-gateway-pricing (NAT gateway us-east-1: $0.045/hr, $0.045/GB)",
  "https://rajesh.medampudi.com/blog/aws-nat-gateway-hidden-tax (NAT gateway us-east-1: $0.045/hr, $0.045/GB)",
  "https://cloudpipelines.pages.dev/guides/aws-nat-gateway-pricing-2026 (NAT gateway US West (Oregon): ~$0.045)",
  "GitHub index file id 56376765243, 'Cost Analysis - Task Force 4 · CDO 04' (us-west-2 NAT and ALB rates)",
  "https://raw.githubusercontent.com/api-evangelist/amazon-elastic-load-balancing/refs/heads/main/plans/" +
    "amazon-elastic-load-balancing-plans-pricing.yml (read 2026-09-20; ALB US-East-1 $0.0225/h, $0.008/LCU)",
  "https://cloud-horizons.com/blog/alb-the-line-item-nobody-watches/ (2026-05-08; ALB $0.0225/h, $0.008/LCU-h)",
  "GitHub index file id 30524193485 (FSx for Lustre us-east-1: 125 MB/s/TiB SSD $0.145 per GB-month)",
  "https://c3x.dev/resources/aws/aws_fsx_lustre_file_system/ (FSx for Lustre ~$0.145/GB-month, 125 MB/s/TiB)",
  "https://gist.github.com/LiutongZhou/552cf38421bbcaa28435eb1e03f792bb (FSx Lustre Scratch 2: $140/TB/month)",
  "GitHub index file id 71523268227 (us-east-1: Scratch 2 ~$0.14/GB-mo; Persistent 2 125 MB/s/TiB ~$0.20)",
];

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
  /** Keyed by throughput per TiB: "125", "250", "500", "1000"; tiers with no sourced figure are omitted. */
  readonly fsxPersistent2PerGBMonth: Readonly<Record<string, number>>;
  /** Omitted where no sourced figure was found (us-west-2). */
  readonly fsxScratch2PerGBMonth?: number;
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
    fsxPersistent2PerGBMonth: {}, // not found for us-west-2
    // fsxScratch2PerGBMonth: not found for us-west-2
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
    fsxPersistent2PerGBMonth: {
      "125": 0.145, // GitHub note id 30524193485; c3x.dev "~$0.145" (doc id 71523268227 says ~$0.20)
      // "250", "500", "1000": not found
    },
    fsxScratch2PerGBMonth: 0.14, // gist LiutongZhou ($140/TB/month); doc id 71523268227 (~$0.14, us-east-1)
  },
};
