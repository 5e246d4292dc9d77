import { useNavigation } from "@remix-run/react";

/** A submit button that shows it is working while its form is being submitted. */
export function SubmitButton({ children, ...props }: React.ButtonHTMLAttributes<HTMLButtonElement>) {
  const navigation = useNavigation();
  const pending = navigation.state === "submitting";
  return (
    <button type="submit" aria-disabled={pending || undefined} data-pending={pending || undefined} {...props}>
      {children}
    </button>
  );
}
