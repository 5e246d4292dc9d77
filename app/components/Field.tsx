import { useId } from "react";

export interface FieldProps extends React.InputHTMLAttributes<HTMLInputElement> {
  label: string;
  name: string;
  errors?: string[];
  hint?: string;
}

/** A labelled input with its errors right below it, tied together for screen readers. */
export function Field({ label, name, errors, hint, id, ...input }: FieldProps) {
  const generated = useId();
  const inputId = id ?? `${name}-${generated}`;
  const errorId = `${inputId}-error`;
  const hintId = `${inputId}-hint`;
  const describedBy = [hint ? hintId : null, errors?.length ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        name={name}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy}
        {...input}
      />
      {hint ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      <ErrorList id={errorId} errors={errors} />
    </div>
  );
}

export function ErrorList({ id, errors }: { id?: string; errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <ul id={id} className="field-errors">
      {errors.map((e) => (
        <li key={e}>{e}</li>
      ))}
    </ul>
  );
}

/** The message above a form when the whole submission was refused. */
export function FormAlert({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div className="alert" role="alert">
      {message}
    </div>
  );
}

/** 期間(開始) and 期間(終了) of a list's GET filter (`from`, `to`: dates), each with its messages. */
export function PeriodFields({
  params,
  errors,
}: {
  params: URLSearchParams;
  errors: Partial<Record<string, string[]>>;
}) {
  return (
    <>
      <Field
        label="期間(開始)"
        name="from"
        id="from"
        type="date"
        defaultValue={params.get("from") ?? ""}
        errors={errors.from}
      />
      <Field
        label="期間(終了)"
        name="to"
        id="to"
        type="date"
        defaultValue={params.get("to") ?? ""}
        errors={errors.to}
      />
    </>
  );
}

/** A labelled select (name = id) of [value, label] options, with its errors right below it. */
export function Select({
  id,
  label,
  options,
  value,
  errors,
}: {
  id: string;
  label: string;
  options: readonly (readonly [string, string])[];
  value: string;
  errors?: string[];
}) {
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={id}
        defaultValue={value}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={errors?.length ? errorId : undefined}
      >
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
      <ErrorList id={errorId} errors={errors} />
    </div>
  );
}
