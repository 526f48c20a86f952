/** A wait that a NOTIFY (or shutdown) can cut short; a poke while awake is remembered for the next wait. */
export class Sleeper {
  private wake?: () => void;
  private poked = false;

  poke(): void {
    this.poked = true;
    this.wake?.();
  }

  sleep(ms: number): Promise<void> {
    if (this.poked) {
      this.poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        this.poked = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
