/**
 * Expected to FAIL type checking (tests/component/types_test.ts runs `deno check` on it): a
 * metric type outside the literal union `COUNTER | GAUGE | TIMER`.
 */
import { BaseComponent, type Metric } from "../../mod.ts";

export class Misspelt extends BaseComponent {
  override metrics(): Metric[] {
    return [{ type: "COUNTR", key: "calls", value: 1 }];
  }
}
