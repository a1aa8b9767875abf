import { Batched } from './batched';

describe('Batched', () => {
  it('runs calls made within the window as one batch, answering each caller in order', async () => {
    const run = jest.fn(async (inputs: number[]) => inputs.map((n) => n * 10));
    const batched = new Batched(run, 5, 100);
    await expect(Promise.all([1, 2, 3].map((n) => batched.submit(n)))).resolves.toEqual([10, 20, 30]);
    expect(run).toHaveBeenCalledTimes(1);
    expect(run).toHaveBeenCalledWith([1, 2, 3]);
  });

  it('runs at once when maxSize calls are waiting', async () => {
    const run = jest.fn(async (inputs: number[]) => inputs);
    const batched = new Batched(run, 60_000, 2);
    await expect(Promise.all([batched.submit(1), batched.submit(2)])).resolves.toEqual([1, 2]);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('fails every caller of a failed batch, and the next batch runs anew', async () => {
    let fail = true;
    const batched = new Batched(async (inputs: number[]) => {
      if (fail) throw new Error('database away');
      return inputs;
    }, 1, 10);
    await expect(Promise.all([batched.submit(1), batched.submit(2)])).rejects.toThrow('database away');
    fail = false;
    await expect(batched.submit(3)).resolves.toBe(3);
  });
});
